using Totem.Protocol.Wire;
using static Totem.Protocol.Srp.NodeSets;

namespace Totem.Protocol.Srp;

/// <summary>RECOVERY and the installation of a new ring with extended virtual synchrony.</summary>
public sealed partial class TotemSrp
{
    /// <summary>Remember the old ring's position once, so a failed attempt at a new ring can fall back to it.</summary>
    private void OldRingStateSave()
    {
        if (_oldRingStateSaved) return;
        _oldRingStateSaved = true;
        _oldRingId = _ringId;
        _oldRingStateAru = _myAru;
        _oldRingStateHighSeqReceived = _myHighSeqReceived;
        Log(SrpLogLevel.Debug, "Saving state aru {Aru:x} high seq received {HighSeq:x}", _myAru, _myHighSeqReceived);
    }

    private void OldRingStateRestore()
    {
        _myAru = _oldRingStateAru;
        _myHighSeqReceived = _oldRingStateHighSeqReceived;
        Log(SrpLogLevel.Debug, "Restoring instance->my_aru {Aru:x} my high seq received {HighSeq:x}", _myAru, _myHighSeqReceived);
    }

    private void RecoveryEnter(CommitToken commit)
    {
        Log(SrpLogLevel.Debug, "entering RECOVERY state.");
        _orfTokenDiscard = false;
        _recovery = new SortQueue(SeqnoStartMsg);
        _retransMessages.Clear();

        var lowRingAru = _oldRingStateHighSeqReceived;
        CommitTokenSend(commit);
        _myTokenSeq = unchecked(SeqnoStartToken - 1);

        // The transitional configuration: members of the new ring that come from my old ring.
        _transMemb = commit.Members
            .Where(m => _memb.Contains(m.Node) && m.OldRingId == _oldRingId)
            .Select(m => m.Node).OrderBy(n => n).ToList();
        foreach (var member in commit.Members)
            Log(SrpLogLevel.Debug, "position member {NodeId}: previous ringid ({OldRingId}) aru {Aru:x} high delivered {HighDelivered:x} received flag {ReceivedFlg}",
                member.Node, member.OldRingId, member.Aru, member.HighDelivered, member.ReceivedFlg ? 1 : 0);

        // What any of us already delivered in the old regular configuration, all of us deliver there too
        // (corosync carries high_delivered in the commit token for this but no longer uses it).
        _myHighRingDelivered = _myHighDelivered;
        foreach (var member in commit.Members)
            if (_transMemb.Contains(member.Node) && member.OldRingId == _oldRingId && SeqNo.Lt(_myHighRingDelivered, member.HighDelivered))
                _myHighRingDelivered = member.HighDelivered;

        var everyoneHasAll = !commit.Members.Any(m => _transMemb.Contains(m.Node) && !m.ReceivedFlg);
        var originated = 0;
        if (!everyoneHasAll)
        {
            foreach (var member in commit.Members)
                if (_transMemb.Contains(member.Node) && member.OldRingId == _oldRingId && SeqNo.Lt(member.Aru, lowRingAru))
                    lowRingAru = member.Aru;

            // Offer every old-ring message above the lowest aru of the transitional members.
            var range = SeqNo.Distance(lowRingAru, _oldRingStateHighSeqReceived);
            if (range > 0)
                Log(SrpLogLevel.Debug, "copying all old ring messages from {From:x}-{To:x}.", unchecked(lowRingAru + 1), _oldRingStateHighSeqReceived);
            for (var i = 1; i <= range; i++)
            {
                if (!_regular.TryGet(unchecked(lowRingAru + (uint)i), out var old)) continue;
                _retransMessages.Enqueue(old);
                originated++;
            }
        }
        if (originated > 0) Log(SrpLogLevel.Debug, "Originated {Count} messages in RECOVERY.", originated);
        else Log(SrpLogLevel.Debug, "Did not need to originate any messages in recovery.");

        _myAru = SeqnoStartMsg;
        _myAruCount = 0;
        _mySeqUnchanged = 0;
        _myHighSeqReceived = SeqnoStartMsg;
        _myInstallSeq = SeqnoStartMsg;
        _myRetransFlgCount = 0;
        _myRotationCounter = 0;

        ResetTokenTimeout();
        ResetTokenRetransmitTimeout();
        SetState(SrpState.Recovery, "commit token rotated");
        _stats.RecoveryEntered++;
        _stats.ContinuousGather = 0;
    }

    private void OrfTokenSendInitial()
    {
        var retrans = _retransMessages.Count > 0;
        _mySetRetransFlg = retrans;
        var token = new OrfToken(_myId, _ringId, SeqnoStartMsg, SeqnoStartToken, unchecked(SeqnoStartMsg - 1), _myId,
            0, 0, retrans, ValueList<uint>.Empty);
        TokenSend(token, forward: true);
    }

    /// <summary>
    /// The RECOVERY part of a token visit: the retransmission flag says someone still re-multicasts old
    /// messages; two quiet rotations fix the install seq, and two more with it under the token's aru install the ring.
    /// Returns the flag to put in the outgoing token.
    /// </summary>
    private bool RecoveryTokenStep(bool retransFlg, uint tokenSeq, uint tokenAru)
    {
        if (_retransMessages.Count > 0)
        {
            if (!retransFlg)
            {
                retransFlg = true;
                _mySetRetransFlg = true;
            }
        }
        else if (retransFlg && _mySetRetransFlg)
        {
            retransFlg = false;
            _mySetRetransFlg = false;
        }

        _myRetransFlgCount = retransFlg ? 0 : _myRetransFlgCount + 1;
        if (_myRetransFlgCount == 2) _myInstallSeq = tokenSeq;
        if (_myRetransFlgCount >= 2 && !_myReceivedFlg && SeqNo.Lte(_myInstallSeq, _myAru))
            _myReceivedFlg = true;

        if (_myRetransFlgCount >= 3 && SeqNo.Lte(_myInstallSeq, tokenAru)) _myRotationCounter++;
        else _myRotationCounter = 0;

        if (_myRotationCounter == 2)
        {
            Log(SrpLogLevel.Debug, "retrans flag count {Count:x} token aru {TokenAru:x} install seq {InstallSeq:x} aru {Aru:x} {Seq:x}",
                _myRetransFlgCount, tokenAru, _myInstallSeq, _myAru, tokenSeq);
            OperationalEnter();
            _myRotationCounter = 0;
            _myRetransFlgCount = 0;
        }
        return retransFlg;
    }

    /// <summary>
    /// Installs the new ring: old-ring messages recovered in RECOVERY go back to their old seqs; what can be
    /// delivered in order is delivered in the old configuration, then the transitional configuration, the rest
    /// of the old messages (past unrecoverable gaps), and the new regular configuration.
    /// </summary>
    private void OperationalEnter()
    {
        _originatedOrfToken = false;
        _consensus.Clear();
        _oldRingStateSaved = false;

        for (var i = 1; i <= SeqNo.Distance(SeqnoStartMsg, _myAru); i++)
        {
            if (!_recovery.TryGet(unchecked(SeqnoStartMsg + (uint)i), out var carrier)) continue;
            var old = carrier.Encapsulated;
            if (old is null || old.RingId != _oldRingId) continue;
            if (_regular.InRange(old.Seq) && !_regular.Has(old.Seq))
            {
                _regular.Add(old.Seq, old);
                if (SeqNo.Lt(_oldRingStateHighSeqReceived, old.Seq)) _oldRingStateHighSeqReceived = old.Seq;
            }
        }

        var aruSave = _myAru;
        _myAru = _oldRingStateAru;
        // In the old configuration: in order up to the first gap, and safe messages only as far as some
        // member of the transitional configuration had delivered; the same cut on every member.
        MessagesDeliverToApp(skip: false, _oldRingStateHighSeqReceived, _myHighRingDelivered);

        _leftMemb = Subtract(_memb, _transMemb);
        var joined = Subtract(_newMemb, _transMemb);
        _memb = _newMemb.OrderBy(n => n).ToList();
        _mySetRetransFlg = false;

        _out.Add(new ConfigurationChanged(ConfigurationKind.Transitional, _ringId, Sorted(_transMemb),
            ValueList<NodeId>.Empty, Sorted(_leftMemb)));
        MessagesDeliverToApp(skip: true, _oldRingStateHighSeqReceived, _oldRingStateHighSeqReceived);
        _myAru = aruSave;
        _out.Add(new ConfigurationChanged(ConfigurationKind.Regular, _ringId, Sorted(_memb),
            Sorted(joined), ValueList<NodeId>.Empty));

        // The recovery queue becomes the new ring's queue; its (encapsulated) messages are never delivered again.
        _regular = _recovery;
        _recovery = new SortQueue(SeqnoStartMsg);
        _myLastAru = SeqnoStartMsg;
        _proc.Clear();
        _proc.AddRange(_memb);
        _failed.Clear();

        var highDelivered = _myHighSeqReceived;
        while (highDelivered != SeqnoStartMsg && !_regular.Has(highDelivered)) highDelivered--;
        _myHighDelivered = highDelivered;
        _regular.ReleaseUpTo(highDelivered);
        _safeAru = highDelivered;

        LogNewMembership(joined);
        _leaveMemb.Clear();

        SetState(SrpState.Operational, "ring installed");
        _stats.OperationalEntered++;
        _stats.ContinuousGather = 0;
        _myReceivedFlg = true;
        _oldRingId = _ringId;
    }

    private void LogNewMembership(List<NodeId> joined)
    {
        Log(SrpLogLevel.Debug, "entering OPERATIONAL state.");
        var joinedText = Print(joined);
        var leftText = Print(_leftMemb);
        if (joined.Count > 0 && _leftMemb.Count > 0)
            Log(SrpLogLevel.Notice, "A new membership ({RingId}) was formed. Members joined: {Joined} left: {Left}", _ringId, joinedText, leftText);
        else if (joined.Count > 0)
            Log(SrpLogLevel.Notice, "A new membership ({RingId}) was formed. Members joined: {Joined}", _ringId, joinedText);
        else if (_leftMemb.Count > 0)
            Log(SrpLogLevel.Notice, "A new membership ({RingId}) was formed. Members left: {Left}", _ringId, leftText);
        else
            Log(SrpLogLevel.Notice, "A new membership ({RingId}) was formed. Members", _ringId);

        var failed = _leftMemb.Where(n => !_leaveMemb.Contains(n)).ToList();
        if (_leftMemb.Count > 0 && failed.Count > 0)
            Log(SrpLogLevel.Notice, "Failed to receive the leave message. failed: {Failed}", Print(failed));
        Log(SrpLogLevel.Notice, "Completed service synchronization, ready to provide service.");
    }
}
