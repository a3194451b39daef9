using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Pg;

/// <summary>
/// The receiving half of the packing layer (corosync's totempg_deliver_fn): unpacks each delivered frame into its
/// messages and reassembles fragmented ones, one assembly per sender and queue, handing out whole messages in the
/// order the frames were delivered. The ring delivers a sender's frames in order, so a frame either continues the
/// assembly (its continuation number is the one the previous frame ended with) or starts afresh. At a configuration
/// change the node forgets the assemblies of the senders that left (<see cref="Forget"/>); a sender that stays goes on
/// where it was.
/// </summary>
public sealed class Assembler
{
    private readonly Dictionary<(NodeId Source, PgQueue Queue), Assembly> _assemblies = new();

    /// <summary>Messages thrown away unfinished: their sender left, started over, or this node lacks their beginning.</summary>
    public long Discarded { get; private set; }

    /// <summary>True while a message of <paramref name="source"/> is partly assembled (in any queue).</summary>
    public bool HasPartial(NodeId source) => _assemblies.Any(a => a.Key.Source == source && a.Value.Partial);

    /// <summary>Appends the messages <paramref name="frame"/> completes to <paramref name="delivered"/>.</summary>
    public UnpackOutcome Unpack(NodeId source, PgFrame frame, List<AssembledMessage> delivered)
    {
        var key = (source, frame.Queue);
        _assemblies.TryGetValue(key, out var assembly);
        var outcome = UnpackOutcome.InOrder;
        var dropFirst = false;
        if (frame.Continuation != 0)
        {
            if (assembly is null || !assembly.Partial || assembly.Expect != frame.Continuation)
            {
                // No beginning for this message here (or a different one): drop its rest as it comes. What was
                // held instead is lost too (a message is counted when it is given up or its last piece is dropped).
                if (assembly is { Partial: true }) Discarded++;
                assembly?.Reset();
                outcome = UnpackOutcome.ContinuationMismatch;
                dropFirst = true;
            }
            else if (assembly.Dropping)
            {
                dropFirst = true;
            }
        }
        else if (assembly is { Partial: true })
        {
            Discarded++;
            assembly.Reset();
            outcome = UnpackOutcome.Restarted;
        }

        var data = frame.Data.Items.AsSpan();
        var at = 0;
        var last = frame.Lengths.Count - 1;
        for (var i = 0; i <= last; i++)
        {
            var piece = data.Slice(at, frame.Lengths[i]);
            at += piece.Length;
            var continuesOn = i == last && frame.Fragmented != 0;
            var continued = i == 0 && frame.Continuation != 0;
            if (continued && dropFirst)
            {
                if (continuesOn)
                {
                    assembly ??= Add(key);
                    assembly.StartDropping(frame.Fragmented);
                }
                else
                {
                    Discarded++;
                    assembly?.Reset();
                }
                continue;
            }
            if (continuesOn)
            {
                assembly ??= Add(key);
                if (!continued) assembly.Reset();
                if (!assembly.Append(piece, frame.Fragmented)) assembly.StartDropping(frame.Fragmented);
                continue;
            }
            if (continued)
            {
                delivered.Add(new AssembledMessage(i, assembly!.Complete(piece)));
                continue;
            }
            // A frame of one whole message hands on the decoded data it already owns; a packed piece is copied out, so a
            // kept message does not pin the whole frame.
            delivered.Add(new AssembledMessage(i, last == 0 ? frame.Data : new ValueList<byte>(ImmutableArray.Create(piece))));
        }
        if (frame.Fragmented == 0 && assembly is not null) _assemblies.Remove(key);
        return outcome;
    }

    /// <summary>Drops what is held of messages from <paramref name="nodes"/> (they left the configuration, or are new to it).</summary>
    public void Forget(IEnumerable<NodeId> nodes)
    {
        foreach (var node in nodes)
            foreach (var key in _assemblies.Keys.Where(k => k.Source == node).ToList())
            {
                if (_assemblies[key].Partial) Discarded++;
                _assemblies.Remove(key);
            }
    }

    private Assembly Add((NodeId, PgQueue) key)
    {
        var assembly = new Assembly();
        _assemblies[key] = assembly;
        return assembly;
    }

    /// <summary>One sender's message in the making (corosync's struct assembly).</summary>
    private sealed class Assembly
    {
        private readonly ArrayBufferWriter<byte> _buffer = new();

        /// <summary>The fragment number the next frame must continue.</summary>
        public byte Expect { get; private set; }
        /// <summary>The message being received is thrown away as its pieces come.</summary>
        public bool Dropping { get; private set; }
        public bool Partial => Expect != 0;

        /// <summary>False when the message would grow beyond <see cref="PgLimits.MaxMessageBytes"/>: only a broken peer sends that.</summary>
        public bool Append(ReadOnlySpan<byte> piece, byte fragment)
        {
            Expect = fragment;
            if (_buffer.WrittenCount + piece.Length > PgLimits.MaxMessageBytes) return false;
            piece.CopyTo(_buffer.GetSpan(piece.Length));
            _buffer.Advance(piece.Length);
            return true;
        }

        public ValueList<byte> Complete(ReadOnlySpan<byte> lastPiece)
        {
            var bytes = new byte[_buffer.WrittenCount + lastPiece.Length];
            _buffer.WrittenSpan.CopyTo(bytes);
            lastPiece.CopyTo(bytes.AsSpan(_buffer.WrittenCount));
            Reset();
            return new ValueList<byte>(ImmutableCollectionsMarshal.AsImmutableArray(bytes));
        }

        public void StartDropping(byte fragment)
        {
            _buffer.Clear();
            Expect = fragment;
            Dropping = true;
        }

        public void Reset()
        {
            _buffer.Clear();
            Expect = 0;
            Dropping = false;
        }
    }
}
