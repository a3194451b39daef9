using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Verification;

/// <summary>
/// One run's check: first each incarnation's history is replayed on its own (configuration sequence,
/// ring of each delivery, order and duplicates within the node), then the histories are compared.
/// </summary>
internal sealed class HistoryAnalysis
{
    private readonly Func<ValueList<byte>, string> _messageId;
    private readonly bool _syncRecorded;
    private readonly List<string> _violations = new();
    private readonly List<IncarnationHistory> _histories = new();
    private readonly Dictionary<RingId, List<RegularPeriod>> _periodsByRing = new();

    public HistoryAnalysis(IReadOnlyList<Incarnation> incarnations, Func<ValueList<byte>, string> messageId, bool syncRecorded)
    {
        _messageId = messageId;
        _syncRecorded = syncRecorded;
        var incarnationCounts = incarnations.GroupBy(i => i.Node).ToDictionary(g => g.Key, g => g.Count());
        var submittedByNode = new Dictionary<NodeId, HashSet<MessageKey>>();
        foreach (var incarnation in incarnations)
        {
            var name = incarnationCounts[incarnation.Node] > 1
                ? $"node {incarnation.Node} (incarnation {incarnation.Number})"
                : $"node {incarnation.Node}";
            if (!submittedByNode.TryGetValue(incarnation.Node, out var submitted))
                submittedByNode[incarnation.Node] = submitted = new HashSet<MessageKey>();
            _histories.Add(Replay(incarnation, name, submitted));
        }
    }

    public IReadOnlyList<string> Check(bool livenessExpected)
    {
        CheckRingIdsGrowAcrossRestarts();
        CheckMembersAgreePerRing();
        CheckOneMessagePerSlot();
        CheckNoGapsInRegularDelivery();
        CheckTransitionalMembers();
        CheckVirtualSynchrony();
        CheckSelfDelivery();
        if (livenessExpected) CheckLiveness();
        return _violations;
    }

    private void Violation(string invariant, string detail) => _violations.Add($"{invariant}: {detail}");

    private IncarnationHistory Replay(Incarnation incarnation, string name, HashSet<MessageKey> submittedByNode)
    {
        var history = new IncarnationHistory(incarnation, name);
        RegularPeriod? current = null;
        ConfigurationChanged? pending = null;
        RingId? synced = null;
        foreach (var nodeEvent in incarnation.Events)
        {
            switch (nodeEvent)
            {
                case MessageSubmitted submitted:
                    var key = new MessageKey(incarnation.Node, _messageId(submitted.Payload));
                    if (!submittedByNode.Add(key))
                        Violation(Invariants.NoDuplicates,
                            $"{name} submitted {key} twice; message ids must be unique per source for deliveries to be judged");
                    history.Submitted.Add(key);
                    break;
                case SubmissionRejected rejected:
                    var refused = new MessageKey(incarnation.Node, _messageId(rejected.Payload));
                    if (history.Submitted.Remove(refused)) submittedByNode.Remove(refused);
                    break;
                case MessageDelivered delivered:
                    Deliver(history, current, pending, delivered.Delivery, synced);
                    break;
                case ServiceSyncCompleted completed:
                    if (current?.Ring != completed.Ring)
                        Violation(Invariants.ServiceSync,
                            $"{name} completed the service synchronization of ring {completed.Ring} while its regular configuration was {(current is null ? "none" : $"ring {current.Ring}")}");
                    synced = completed.Ring;
                    break;
                case ConfigurationInstalled { Change.Kind: ConfigurationKind.Transitional } transitional:
                    CheckTransitional(history, current, pending, transitional.Change);
                    pending = transitional.Change;
                    break;
                case ConfigurationInstalled regular:
                    current = InstallRegular(history, current, pending, regular.Change);
                    pending = null;
                    break;
            }
        }
        history.PendingTransitional = pending;
        return history;
    }

    private void Deliver(IncarnationHistory history, RegularPeriod? current, ConfigurationChanged? pending, Delivered delivered, RingId? synced)
    {
        var record = new DeliveryRecord(delivered, new MessageKey(delivered.Source, _messageId(delivered.Payload)), pending is not null);
        if (current is null)
        {
            Violation(Invariants.RingMembership, $"{history.Name} delivered {record} before installing any regular configuration");
            return;
        }
        if (delivered.RingId != current.Ring)
        {
            var transition = pending is null ? "" : $" (in transition to ring {pending.RingId})";
            Violation(Invariants.RingMembership,
                $"{history.Name} delivered {record} while its regular configuration was ring {current.Ring}{transition}");
            return;
        }
        if (!current.Members.Contains(delivered.Source))
            Violation(Invariants.RingMembership,
                $"{history.Name} delivered {record}, but node {delivered.Source} is not a member of ring {current.Ring} [{current.Members}]");
        // totemsrp's filter in recovery: past the transitional configuration, only its members' messages.
        else if (pending is not null && !pending.Members.Contains(delivered.Source))
            Violation(Invariants.RingMembership,
                $"{history.Name} delivered {record} after transitional configuration {pending.RingId} [{pending.Members}], which node {delivered.Source} is not part of");
        // The services synchronize a ring before its application traffic flows (totemsrp's waiting_trans_ack holds a
        // node's messages back until its own sync completed, which is behind every member's last barrier in agreed
        // order; so every member delivers them behind its own completion). After the transitional configuration the
        // old ring's round was aborted and recovery may deliver past gaps (a barrier can be lost with its sender), so
        // the rule is the regular configuration's.
        if (_syncRecorded && pending is null && synced != current.Ring)
            Violation(Invariants.ServiceSync,
                $"{history.Name} delivered {record} before the service synchronization of ring {current.Ring} completed there");
        if (history.Delivered.TryGetValue(record.Key, out var first))
        {
            Violation(Invariants.NoDuplicates, $"{history.Name} delivered {record.Key} twice: as {first} and again as {record}");
            return;
        }
        if (current.Deliveries.Count > 0)
        {
            var last = current.Deliveries[^1].Slot;
            if (last == record.Slot)
            {
                Violation(Invariants.NoDuplicates, $"{history.Name} delivered ring {current.Ring} {last} twice");
                return;
            }
            if (record.Slot.Before(last))
                Violation(Invariants.AgreedOrder, $"{history.Name} delivered {record} after {last} of the same ring");
        }
        history.Delivered.Add(record.Key, record);
        current.Deliveries.Add(record);
        current.Keys.Add(record.Key);
    }

    private void CheckTransitional(IncarnationHistory history, RegularPeriod? current, ConfigurationChanged? pending, ConfigurationChanged transitional)
    {
        var name = history.Name;
        var ring = transitional.RingId;
        if (pending is not null)
            Violation(Invariants.Configuration,
                $"{name} delivered transitional configuration {ring} while transitional configuration {pending.RingId} still awaited its regular configuration");
        // The first configuration of an incarnation has no old ring to come from: corosync's my_memb_list is
        // still empty then, so its transitional configuration is empty (totemsrp.c memb_set_and_with_ring_id).
        if (current is null) return;
        if (!transitional.Members.Contains(history.Node))
            Violation(Invariants.Configuration, $"{name}'s transitional configuration {ring} [{transitional.Members}] does not include itself");
        var strangers = transitional.Members.Except(current.Members).ToList();
        if (strangers.Count > 0)
            Violation(Invariants.Configuration,
                $"{name}'s transitional configuration {ring} lists node(s) {string.Join(" ", strangers)} that were not in its regular configuration {current.Ring} [{current.Members}]");
        var expectedLeft = current.Members.Except(transitional.Members).ToHashSet();
        if (!expectedLeft.SetEquals(transitional.Left))
            Violation(Invariants.Configuration,
                $"{name}'s transitional configuration {ring} reports left [{transitional.Left}] but [{string.Join(" ", expectedLeft.Order())}] of ring {current.Ring} did not come along");
    }

    private RegularPeriod InstallRegular(IncarnationHistory history, RegularPeriod? current, ConfigurationChanged? transitional, ConfigurationChanged regular)
    {
        var name = history.Name;
        var ring = regular.RingId;
        if (transitional is null && current is not null)
            Violation(Invariants.Configuration,
                $"{name} installed regular configuration {ring} after ring {current.Ring} without a transitional configuration");
        if (transitional is not null)
        {
            if (transitional.RingId != ring)
                Violation(Invariants.Configuration,
                    $"{name}'s transitional configuration {transitional.RingId} was followed by regular configuration {ring}");
            var missing = transitional.Members.Except(regular.Members).ToList();
            if (missing.Count > 0)
                Violation(Invariants.Configuration,
                    $"{name}'s transitional configuration {transitional.RingId} lists node(s) {string.Join(" ", missing)} that are not in its regular configuration {ring} [{regular.Members}]");
            var expectedJoined = regular.Members.Except(transitional.Members).ToHashSet();
            if (!expectedJoined.SetEquals(regular.Joined))
                Violation(Invariants.Configuration,
                    $"{name}'s regular configuration {ring} reports joined [{regular.Joined}] but [{string.Join(" ", expectedJoined.Order())}] are new to it");
        }
        if (!regular.Members.Contains(history.Node))
            Violation(Invariants.Configuration, $"{name}'s regular configuration {ring} [{regular.Members}] does not include itself");
        if (current is not null && regular.RingId.Seq <= current.Ring.Seq)
            Violation(Invariants.Configuration, $"{name} installed ring {ring} after ring {current.Ring}: ring ids must grow");

        var period = new RegularPeriod(history, ring, regular.Members, transitional, current);
        if (current is not null) current.Next = period;
        history.Periods.Add(period);
        if (!_periodsByRing.TryGetValue(ring, out var periods)) _periodsByRing[ring] = periods = new List<RegularPeriod>();
        periods.Add(period);
        return period;
    }

    /// <summary>corosync keeps the ring seq on disk so that a restarted node never reuses a ring id.</summary>
    private void CheckRingIdsGrowAcrossRestarts()
    {
        foreach (var node in _histories.GroupBy(h => h.Node))
        {
            RegularPeriod? highest = null;
            foreach (var history in node)
            {
                if (history.Periods.Count == 0) continue;
                var first = history.Periods[0];
                if (highest is not null && first.Ring.Seq <= highest.Ring.Seq)
                    Violation(Invariants.Configuration,
                        $"{history.Name} installed ring {first.Ring} although {highest.Owner.Name} had already been in ring {highest.Ring}: ring ids must grow across restarts");
                highest = history.Periods.MaxBy(p => p.Ring.Seq);
            }
        }
    }

    private void CheckMembersAgreePerRing()
    {
        foreach (var (ring, periods) in _periodsByRing)
        {
            var reference = periods[0];
            foreach (var period in periods.Skip(1).Where(p => !p.Members.ToHashSet().SetEquals(reference.Members)))
                Violation(Invariants.Configuration,
                    $"{reference.Owner.Name} installed ring {ring} with members [{reference.Members}] but {period.Owner.Name} with [{period.Members}]");
        }
    }

    /// <summary>A ring's seq and piece name one message everywhere, and a message has one ring, seq and piece everywhere.</summary>
    private void CheckOneMessagePerSlot()
    {
        var bySlot = new Dictionary<(RingId, DeliverySlot), (DeliveryRecord Record, IncarnationHistory By)>();
        var byKey = new Dictionary<MessageKey, (DeliveryRecord Record, IncarnationHistory By)>();
        var reported = new HashSet<object>();
        foreach (var period in _histories.SelectMany(h => h.Periods))
        {
            foreach (var record in period.Deliveries)
            {
                var slot = (record.Delivery.RingId, record.Slot);
                if (!bySlot.TryGetValue(slot, out var atSlot)) bySlot[slot] = (record, period.Owner);
                else if (atSlot.Record.Key != record.Key && reported.Add(slot))
                    Violation(Invariants.AgreedOrder,
                        $"ring {slot.RingId} {slot.Slot} is {atSlot.Record.Key} at {atSlot.By.Name} but {record.Key} at {period.Owner.Name}");

                if (!byKey.TryGetValue(record.Key, out var ofKey)) byKey[record.Key] = (record, period.Owner);
                else if ((ofKey.Record.Delivery.RingId, ofKey.Record.Slot) != slot && reported.Add(record.Key))
                    Violation(Invariants.AgreedOrder,
                        $"{record.Key} was delivered as {ofKey.Record} by {ofKey.By.Name} but as {record} by {period.Owner.Name}");
            }
        }
    }

    /// <summary>
    /// Before its transitional configuration a node delivers in seq order without holes (agreed and safe
    /// delivery wait for every predecessor); only after it may it skip messages nobody it moves with has.
    /// So everything anyone delivered in the ring below a node's last regular-time delivery must be among its deliveries.
    /// </summary>
    private void CheckNoGapsInRegularDelivery()
    {
        foreach (var (ring, periods) in _periodsByRing)
        {
            var deliveredBy = new Dictionary<DeliverySlot, IncarnationHistory>();
            foreach (var period in periods)
                foreach (var record in period.Deliveries)
                    deliveredBy.TryAdd(record.Slot, period.Owner);

            foreach (var period in periods)
            {
                var regular = period.Deliveries.Where(d => !d.AfterTransitional).ToList();
                if (regular.Count == 0) continue;
                var highest = regular.Select(d => d.Slot).Aggregate((a, b) => a.Before(b) ? b : a);
                var own = regular.Select(d => d.Slot).ToHashSet();
                var holes = deliveredBy.Keys.Where(slot => slot.Before(highest) && !own.Contains(slot))
                    .OrderBy(slot => SeqNo.Distance(highest.Seq, slot.Seq)).ThenBy(slot => -slot.Piece).ToList();
                if (holes.Count == 0) continue;
                var more = holes.Count > 1 ? $" and {holes.Count - 1} other earlier message(s)" : "";
                Violation(Invariants.AgreedOrder,
                    $"{period.Owner.Name} delivered ring {ring} {highest} in its regular configuration without first delivering {holes[0]} (delivered by {deliveredBy[holes[0]].Name}){more}");
            }
        }
    }

    /// <summary>
    /// The transitional configuration into a ring holds exactly the new members that come from the same
    /// old ring (corosync compares the old ring ids in the commit token). Checked for every member whose
    /// own history of that ring was recorded.
    /// </summary>
    private void CheckTransitionalMembers()
    {
        foreach (var period in _periodsByRing.Values.SelectMany(p => p))
        {
            if (period.Transitional is not { } transitional) continue;
            var ownOld = period.Previous?.Ring;
            foreach (var member in period.Members.Where(m => m != period.Owner.Node))
            {
                var theirs = _periodsByRing[period.Ring].FirstOrDefault(p => p.Owner.Node == member);
                if (theirs is null) continue;
                var theirOld = theirs.Previous?.Ring;
                var listed = transitional.Members.Contains(member);
                var cameFrom = theirOld is null ? "no previous configuration" : $"ring {theirOld}";
                if (listed && theirOld != ownOld)
                    Violation(Invariants.Configuration,
                        $"{period.Owner.Name}'s transitional configuration into ring {period.Ring} lists node {member}, which came from {cameFrom}, not from {(ownOld is null ? "no previous configuration" : $"ring {ownOld}")}");
                else if (!listed && ownOld is not null && theirOld == ownOld)
                    Violation(Invariants.Configuration,
                        $"{period.Owner.Name}'s transitional configuration into ring {period.Ring} leaves out node {member}, which also came from ring {ownOld}");
            }
        }
    }

    /// <summary>Nodes that go from ring R to ring R' together delivered the same messages of R (before and after the transitional configuration).</summary>
    private void CheckVirtualSynchrony()
    {
        var movedTogether = _histories.SelectMany(h => h.Periods)
            .Where(p => p.Next is not null)
            .GroupBy(p => (From: p.Ring, To: p.Next!.Ring));
        foreach (var group in movedTogether)
            ReportDifferences(group.ToList(), (period, witness, record) =>
                Violation(Invariants.VirtualSynchrony,
                    $"{period.Owner.Name} and {witness.Owner.Name} moved together from ring {group.Key.From} to ring {group.Key.To}, but {period.Owner.Name} did not deliver {record} that {witness.Owner.Name} delivered"));
    }

    /// <summary>A node that lived through a ring (installed the next one) delivered every message it sent on that ring.</summary>
    private void CheckSelfDelivery()
    {
        var reported = new HashSet<MessageKey>();
        foreach (var period in _histories.SelectMany(h => h.Periods))
        {
            foreach (var record in period.Deliveries)
            {
                var sender = _periodsByRing[period.Ring].FirstOrDefault(p => p.Owner.Node == record.Delivery.Source);
                if (sender?.Next is null || sender.Keys.Contains(record.Key) || !reported.Add(record.Key)) continue;
                Violation(Invariants.SelfDelivery,
                    $"node {record.Delivery.Source} sent {record} (delivered by {period.Owner.Name}), but {sender.Owner.Name} moved on to ring {sender.Next.Ring} without delivering it");
            }
        }
    }

    private void CheckLiveness()
    {
        var finalByNode = _histories.GroupBy(h => h.Node).ToDictionary(g => g.Key, g => g.Last());
        var survivors = finalByNode.Values.Where(h => !h.Incarnation.Crashed).ToList();
        foreach (var history in survivors)
        {
            if (history.Periods.Count == 0)
            {
                Violation(Invariants.Liveness, $"{history.Name} never installed a regular configuration");
                continue;
            }
            if (history.PendingTransitional is { } pending)
                Violation(Invariants.Liveness,
                    $"{history.Name} ended the run after transitional configuration {pending.RingId} without its regular configuration");
            var final = history.Periods[^1];
            foreach (var member in final.Members.Where(m => m != history.Node))
            {
                var problem = !finalByNode.TryGetValue(member, out var theirs) ? "of which nothing was recorded"
                    : theirs.Incarnation.Crashed ? "which crashed"
                    : theirs.Periods.Count == 0 ? "which never installed a configuration"
                    : theirs.Periods[^1].Ring != final.Ring ? $"which ended in ring {theirs.Periods[^1].Ring}"
                    : null;
                if (problem is not null)
                    Violation(Invariants.Liveness, $"{history.Name} ended the run in ring {final.Ring}, which lists node {member}, {problem}");
            }
            foreach (var key in history.Submitted.Where(k => !history.Delivered.ContainsKey(k)))
                Violation(Invariants.Liveness, $"{history.Name} submitted {key} but never delivered it");
        }

        foreach (var group in survivors.Where(h => h.Periods.Count > 0).Select(h => h.Periods[^1]).GroupBy(p => p.Ring))
            ReportDifferences(group.ToList(), (period, witness, record) =>
                Violation(Invariants.Liveness,
                    $"{period.Owner.Name} and {witness.Owner.Name} both ended the run in ring {group.Key}, but {period.Owner.Name} did not deliver {record} that {witness.Owner.Name} delivered"));
    }

    /// <summary>Calls <paramref name="report"/> for every message one period of the group lacks that another delivered.</summary>
    private static void ReportDifferences(List<RegularPeriod> group, Action<RegularPeriod, RegularPeriod, DeliveryRecord> report)
    {
        if (group.Count < 2) return;
        var union = new Dictionary<MessageKey, (DeliveryRecord Record, RegularPeriod By)>();
        foreach (var period in group)
            foreach (var record in period.Deliveries)
                union.TryAdd(record.Key, (record, period));
        foreach (var period in group)
            foreach (var (key, (record, by)) in union)
                if (!period.Keys.Contains(key)) report(period, by, record);
    }
}
