latency 5ms
jitter uniform 0ms 10ms
loss 5%
