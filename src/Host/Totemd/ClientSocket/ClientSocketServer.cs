using System.Net.Sockets;
using Totem.Nodes.Control;
using Totem.Protocol.Client;

namespace Totem.Host.Totemd.ClientSocket;

/// <summary>
/// The node's local client socket: a Unix domain stream socket, mode 0660 as corosync's IPC, one
/// <see cref="ClientConnection"/> per client. A stale socket file (nobody listening) is replaced; a live one, or a
/// file that is not a socket, is an error naming the path.
/// </summary>
public sealed class ClientSocketServer : IAsyncDisposable
{
    private const UnixFileMode SocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
    private const UnixFileMode DirectoryMode = SocketMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute;

    private readonly INodeControl _node;
    private readonly Socket _listener;
    private readonly ClientLimits _limits;
    private readonly Serilog.ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly HashSet<ClientConnection> _connections = [];
    private Task _accepting = Task.CompletedTask;
    private long _nextClient;
    private int _disposed;

    private ClientSocketServer(INodeControl node, Socket listener, string path, ClientLimits limits, Serilog.ILogger log)
    {
        _node = node;
        _listener = listener;
        Path = path;
        _limits = limits;
        _log = log;
    }

    public string Path { get; }

    /// <summary>Binds and listens (accepting starts with <see cref="Start"/>).</summary>
    /// <exception cref="IOException">The path is taken, is not a socket, or cannot be bound; the message names it.</exception>
    public static ClientSocketServer Bind(INodeControl node, string path, ClientLimits limits, Serilog.ILogger log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (OperatingSystem.IsWindows()) throw new IOException($"client socket {path}: totemd serves its client socket on Linux only");
        var full = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(full)!;
        try
        {
            if (!Directory.Exists(directory)) Directory.CreateDirectory(directory, DirectoryMode);
            RemoveStale(full);
            var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                listener.Bind(new UnixDomainSocketEndPoint(full));
                File.SetUnixFileMode(full, SocketMode);
                listener.Listen(limits.MaxClients);
            }
            catch
            {
                listener.Dispose();
                throw;
            }
            return new ClientSocketServer(node, listener, full, limits, log.ForContext(LogSubsystem.Property, LogSubsystem.Cpg));
        }
        catch (Exception ex) when (ex is SocketException or UnauthorizedAccessException or IOException)
        {
            throw new IOException($"client socket {full}: {ex.Message}", ex);
        }
    }

    /// <summary>A socket file nobody listens on is left from a node that died: replaced. Anything else at the path is not ours to remove.</summary>
    private static void RemoveStale(string path)
    {
        if (Directory.Exists(path)) throw new IOException("the path is a directory");
        if (!File.Exists(path)) return;
        if (File.ResolveLinkTarget(path, returnFinalTarget: false) is not null || new FileInfo(path).Length > 0)
            throw new IOException("the path exists and is not a socket");
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new IOException("another process is listening on it (a node already running?)");
            }
            catch (SocketException)
            {
                // Nobody listens: a stale socket, or an empty file (connect refuses both).
            }
        }
        // open(2) of a socket fails (ENXIO); an empty regular file opens, and is somebody else's.
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
        }
        catch (IOException)
        {
            File.Delete(path);
            return;
        }
        throw new IOException("the path exists and is not a socket");
    }

    public void Start()
    {
        _accepting = AcceptAsync(_stop.Token);
        _log.Information("Client socket listening on {Path:l} (mode 0660)", Path);
    }

    private async Task AcceptAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || ct.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                _log.Warning("Client socket {Path:l}: accept failed: {Reason}", Path, ex.Message);
                continue;
            }
            var id = Interlocked.Increment(ref _nextClient);
            var connection = new ClientConnection(id, socket, _node, _limits, _log);
            bool admitted;
            lock (_gate)
            {
                admitted = _connections.Count < _limits.MaxClients;
                if (admitted) _connections.Add(connection);
            }
            if (!admitted)
            {
                _log.Warning("Client {Client} refused: {Max} clients are connected already (totemd.client.max-clients)", id, _limits.MaxClients);
                _ = connection.RefuseAsync(new ClientError(ClientErrorCode.TooLarge, $"too many clients: this node serves at most {_limits.MaxClients} at once"));
                continue;
            }
            _ = RunAsync(connection, ct);
        }
    }

    private async Task RunAsync(ClientConnection connection, CancellationToken ct)
    {
        try
        {
            await connection.RunAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate) _connections.Remove(connection);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        ClientConnection[] open;
        lock (_gate) open = [.. _connections];
        foreach (var c in open) c.Abort();
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // Gone already, or replaced by someone else's: either way not ours to fight over.
        }
        _stop.Dispose();
    }
}

/// <summary>The client socket's bounds (reference.conf, totemd.client).</summary>
public sealed record ClientLimits(int MaxInflightBytes, int MaxClients)
{
    /// <summary>Deliveries packed into one frame up to about this many bytes (a larger message goes alone).</summary>
    public int DeliveryFrameBytes { get; init; } = 256 * 1024;
}
