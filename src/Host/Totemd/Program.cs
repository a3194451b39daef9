Totem.Host.Totemd.TotemdRuntime.Configure();
return await Totem.Host.Totemd.TotemdCommand.RunAsync(args, new Totem.Host.Totemd.UdpNodeLauncher());
