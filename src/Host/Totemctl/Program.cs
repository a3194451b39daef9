Console.WriteLine("totemctl");
