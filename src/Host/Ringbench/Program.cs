return await Totem.Host.Ringbench.Bench.RingbenchCommand.RunAsync(args);
