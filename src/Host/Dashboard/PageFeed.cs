using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Totem.Host.Control;
using Totem.Host.Control.Api;

namespace Totem.Host.Dashboard;

/// <summary>
/// What the page is told, as server-sent events: "node" (how each node is reached), "sample" (a node's ring state,
/// once a second) and "event" (a node's cluster event). A page that connects first gets the latest "node" and
/// "sample" of every node and the last <see cref="RetainedEvents"/> events, then everything as it comes. A page that
/// falls behind loses its oldest chunks, never stalls the watchers: each page has its own bounded queue.
/// </summary>
public sealed class PageFeed
{
    public const int RetainedEvents = 500;
    private const int PageQueue = 2048;
    private readonly object _gate = new();
    private readonly Dictionary<string, string> _links = new();
    private readonly Dictionary<uint, string> _samples = new();
    private readonly Queue<string> _events = new();
    private readonly List<Channel<string>> _pages = new();
    private readonly Dictionary<uint, NodeTarget> _nodes = new();

    /// <summary>The nodes reached so far by id, and where their control API is (for the fault buttons).</summary>
    public IReadOnlyDictionary<uint, NodeTarget> KnownNodes()
    {
        lock (_gate) return new Dictionary<uint, NodeTarget>(_nodes);
    }

    public void Link(NodeLinkDto link, NodeTarget target)
    {
        var chunk = Chunk("node", JsonSerializer.Serialize(link, DashboardJsonContext.Default.NodeLinkDto));
        lock (_gate)
        {
            _links[link.Control] = chunk;
            if (link.Node is { } id) _nodes[id] = target;
            Send(chunk);
        }
    }

    /// <summary>A node that discovery no longer finds: the page drops it.</summary>
    public void Forget(NodeTarget target)
    {
        var control = target.ToString();
        var chunk = Chunk("forget", JsonSerializer.Serialize(new NodeLinkDto(control, null, "forgotten", DateTimeOffset.UtcNow, "no longer found by discovery"),
            DashboardJsonContext.Default.NodeLinkDto));
        lock (_gate)
        {
            _links.Remove(control);
            foreach (var (id, where) in _nodes.Where(n => n.Value == target).ToList())
            {
                _nodes.Remove(id);
                _samples.Remove(id);
            }
            Send(chunk);
        }
    }

    public void Sample(RingSampleDto sample)
    {
        var chunk = Chunk("sample", JsonSerializer.Serialize(sample, ControlJson.Options.TypeInfo<RingSampleDto>()));
        lock (_gate)
        {
            _samples[sample.Node] = chunk;
            Send(chunk);
        }
    }

    public void Event(ObservedEventDto observed)
    {
        var chunk = Chunk("event", JsonSerializer.Serialize(observed, ControlJson.Options.TypeInfo<ObservedEventDto>()));
        lock (_gate)
        {
            _events.Enqueue(chunk);
            if (_events.Count > RetainedEvents) _events.Dequeue();
            Send(chunk);
        }
    }

    /// <summary>A page's stream: the current state first, then every change until <paramref name="ct"/> ends it.</summary>
    public async IAsyncEnumerable<string> OpenAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var page = Channel.CreateBounded<string>(new BoundedChannelOptions(PageQueue) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            foreach (var chunk in _links.Values.Concat(_samples.Values).Concat(_events)) page.Writer.TryWrite(chunk);
            _pages.Add(page);
        }
        try
        {
            await foreach (var chunk in page.Reader.ReadAllAsync(ct).ConfigureAwait(false)) yield return chunk;
        }
        finally
        {
            lock (_gate) _pages.Remove(page);
        }
    }

    public int Pages
    {
        get { lock (_gate) return _pages.Count; }
    }

    private void Send(string chunk)
    {
        foreach (var page in _pages) page.Writer.TryWrite(chunk);
    }

    private static string Chunk(string name, string json) => new StringBuilder().Append("event: ").Append(name).Append("\ndata: ").Append(json).Append("\n\n").ToString();
}
