using Totem.Protocol.Wire;

namespace Totem.Protocol.Srp;

/// <summary>
/// The Totem Single-Ring Protocol of one processor (corosync's exec/totemsrp.c) as a pure, deterministic
/// state machine: every input comes in through <see cref="Start(long)"/> and <see cref="Handle(SrpInput, long)"/>
/// with the current time, and every effect goes out as an <see cref="SrpOutput"/>. It reads no clock,
/// owns no socket and no timer.
/// <para>
/// It composes the node's two halves, <see cref="MembershipEngine"/> and <see cref="TokenHolderEngine"/>,
/// and runs their handshake (Handshake.cs) inside one call: a <see cref="TellTokenHolder"/> or
/// <see cref="TellMembership"/> output is handed to the other engine at once and replaced, in the output
/// stream, by what that engine did with it. Until each engine has its own actor (TokenHolder, Membership),
/// this keeps the node's API and its output stream exactly as they were.
/// </para>
/// <para>
/// Sends: <see cref="SendMessage.Destination"/> null means every peer except this node (udpu style);
/// the engine never asks to send to itself: what corosync receives through loopback (its own joins, its
/// token on a singleton ring) it feeds back to itself before the call returns.
/// </para>
/// </summary>
public sealed class TotemSrp
{
    private readonly TokenHolderEngine _token;
    private readonly MembershipEngine _membership;
    private readonly Queue<TotemMessage> _loopback = new();
    // One scratch list per nesting depth of the handshake, reused across calls.
    private readonly List<List<SrpOutput>> _scratch = new();
    private int _depth;
    private long _now;
    private bool _started;
    private bool _left;
    private ulong _rxDropped;

    public TotemSrp(SrpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _token = new TokenHolderEngine(options);
        _membership = new MembershipEngine(options);
    }

    public NodeId LocalNode => _membership.LocalNode;
    public SrpState State => _membership.State;
    public RingId RingId => _membership.RingId;
    /// <summary>The installed regular configuration (empty until the first ring forms).</summary>
    public IReadOnlyList<NodeId> Members => _membership.Members;
    public uint MyAru => _token.MyAru;
    public uint HighDelivered => _token.HighDelivered;
    /// <summary>The highest seq this node has received on the current ring.</summary>
    public uint HighSeqReceived => _token.HighSeqReceived;
    /// <summary>Submitted messages still waiting for the token.</summary>
    public int PendingMessages => _token.PendingMessages;
    /// <summary>Bytes of the submitted messages still waiting for the token.</summary>
    public long PendingBytes => _token.PendingBytes;
    /// <summary>Messages thrown away unfinished at delivery (their sender left or started them over).</summary>
    public long DiscardedFragmentedMessages => _token.DiscardedFragmentedMessages;
    /// <summary>True once <see cref="LeaveRing"/> was handled: the engine ignores everything after it.</summary>
    public bool HasLeft => _left;

    public SrpCounters Counters => SrpCounters.Combine(_membership.Counters, _token.Counters, _rxDropped);

    /// <summary>The node boots: like corosync it loads its ring seq, bumps it, and enters GATHER alone.</summary>
    public IReadOnlyList<SrpOutput> Start(long nowMs)
    {
        var outputs = new List<SrpOutput>();
        Start(nowMs, outputs);
        return outputs;
    }

    public void Start(long nowMs, List<SrpOutput> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (_started) throw new InvalidOperationException("TotemSrp.Start was already called");
        _started = true;
        _now = nowMs;
        var buffer = Scratch();
        _membership.Start(nowMs, buffer);
        Splice(buffer, outputs);
        DrainLoopback(outputs);
    }

    public IReadOnlyList<SrpOutput> Handle(SrpInput input, long nowMs)
    {
        var outputs = new List<SrpOutput>();
        Handle(input, nowMs, outputs);
        return outputs;
    }

    /// <summary>Handles one input, appending what the engine asks for to a caller-owned list.</summary>
    public void Handle(SrpInput input, long nowMs, List<SrpOutput> outputs)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(outputs);
        if (!_started) throw new InvalidOperationException("TotemSrp.Start must be called before Handle");
        _now = nowMs;
        if (_left) return;
        switch (input)
        {
            case MessageReceived received:
                Receive(received.Message, received, outputs);
                break;
            case TimerExpired expired:
                switch (expired.Timer)
                {
                    case SrpTimer.Join or SrpTimer.Consensus or SrpTimer.Pause:
                        Run(_membership, expired, outputs);
                        break;
                    case SrpTimer.TokenLoss or SrpTimer.TokenWarning or SrpTimer.TokenRetransmit or SrpTimer.TokenHold or SrpTimer.Merge:
                        Run(_token, expired, outputs);
                        break;
                    case SrpTimer.Downcheck:
                        break; // totemnet's interface check: nothing for the ring to do.
                    default:
                        throw new ArgumentException($"Unknown SRP timer {expired.Timer}", nameof(input));
                }
                break;
            case SubmitMessage or TransAck:
                Run(_token, input, outputs);
                break;
            case ApplyTimeouts:
                Run(_token, input, outputs);
                Run(_membership, input, outputs);
                break;
            case LeaveRing leave:
                Run(_membership, leave, outputs);
                _left = true;
                break;
            default:
                throw new ArgumentException($"Unknown SRP input {input.GetType().Name}", nameof(input));
        }
        DrainLoopback(outputs);
    }

    private void DrainLoopback(List<SrpOutput> outputs)
    {
        while (_loopback.Count > 0 && !_left)
            Receive(_loopback.Dequeue(), null, outputs);
        _loopback.Clear();
    }

    /// <summary>Routes a message by type: the ordering token's traffic to TokenHolder, membership's to Membership.</summary>
    private void Receive(TotemMessage? message, MessageReceived? received, List<SrpOutput> outputs)
    {
        if (message is null || message.Sender.Value == 0)
        {
            _rxDropped++;
            return;
        }
        switch (message)
        {
            case OrfToken or McastMessage or TokenHoldCancel:
                Run(_token, received ?? new MessageReceived(message), outputs);
                break;
            case JoinMessage or LeaveMessage or CommitToken or MergeDetect:
                Run(_membership, received ?? new MessageReceived(message), outputs);
                break;
            default:
                _rxDropped++;
                break;
        }
    }

    private void Run(SrpEngineCore engine, SrpInput input, List<SrpOutput> outputs)
    {
        var buffer = Scratch();
        engine.Handle(input, _now, buffer);
        Splice(buffer, outputs);
    }

    /// <summary>Hands the handshake messages in an engine's outputs to the other engine, putting its outputs in their place.</summary>
    private void Splice(List<SrpOutput> buffer, List<SrpOutput> outputs)
    {
        _depth++;
        try
        {
            foreach (var output in buffer)
            {
                switch (output)
                {
                    case TellTokenHolder tell:
                        Run(_token, tell.Command, outputs);
                        break;
                    case TellMembership tell:
                        Run(_membership, tell.Report, outputs);
                        break;
                    case SelfDelivery self:
                        _loopback.Enqueue(self.Message);
                        break;
                    default:
                        outputs.Add(output);
                        break;
                }
            }
        }
        finally
        {
            _depth--;
            buffer.Clear();
        }
    }

    private List<SrpOutput> Scratch()
    {
        while (_scratch.Count <= _depth) _scratch.Add(new List<SrpOutput>());
        var buffer = _scratch[_depth];
        buffer.Clear();
        return buffer;
    }
}
