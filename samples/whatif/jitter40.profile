latency 20ms
jitter uniform 0ms 40ms
