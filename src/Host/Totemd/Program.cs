// The node layer's launcher is passed here once src/Nodes provides it (see INodeLauncher);
// until then totemd validates configs and identities (--check) and refuses to run a node.
return await Totem.Host.Totemd.TotemdCommand.RunAsync(args, launcher: null);
