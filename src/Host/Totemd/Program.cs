return await Totem.Host.Totemd.TotemdCommand.RunAsync(args, new Totem.Host.Totemd.UdpNodeLauncher());
