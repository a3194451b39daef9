stall 400ms every 20s on one
