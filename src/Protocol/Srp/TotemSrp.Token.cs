using System.Globalization;
using Totem.Protocol.Wire;
using static Totem.Protocol.Srp.NodeSets;

namespace Totem.Protocol.Srp;

/// <summary>The ordering token: rotation, multicast under flow control, retransmission and delivery.</summary>
public sealed partial class TotemSrp
{
    private SortQueue ActiveQueue => State == SrpState.Recovery ? _recovery : _regular;

    private void OnOrfToken(OrfToken token)
    {
        if (_orfTokenDiscard) return;

        // An unchanged seq means an idle ring: look for other rings and let the representative hold the token.
        if (token.Seq == _myLastSeq)
        {
            StartMergeDetectTimeout();
            _mySeqUnchanged++;
        }
        else
        {
            CancelMergeDetectTimeout();
            StopTimer(SrpTimer.TokenHold);
            _mySeqUnchanged = 0;
        }
        _myLastSeq = token.Seq;

        var seqnoUnchangedConst = (int)_timeouts.SeqnoUnchangedConst;
        _myTokenHeld = IAmRep ? _mySeqUnchanged > seqnoUnchangedConst : _mySeqUnchanged >= seqnoUnchangedConst;
        var forwardToken = !(IAmRep && _myTokenHeld);

        if (State == SrpState.Commit) return;
        if (token.RingId != _ringId) return;
        if (SeqNo.Lte(token.TokenSeq, _myTokenSeq)) return;

        RecordTokenReceived();
        if (State == SrpState.Operational) MessagesFree(token.Aru);

        var lastAru = _myLastAru;
        _myLastAru = token.Aru;
        if (State == SrpState.Operational)
        {
            // Every member has what is at or below the aru the token carried on two consecutive visits.
            var safe = SeqNo.Min(token.Aru, lastAru);
            if (SeqNo.Gt(safe, _safeAru)) _safeAru = safe;
        }

        var transmitsAllowed = FccCalculate(token);
        var rtr = new List<uint>(token.RetransmitList);
        var retransmitted = OrfTokenRtr(token.Seq, rtr, ref transmitsAllowed);

        if (_options.CancelTokenHoldOnRetransmit && _myTokenHeld && (rtr.Count > 0 || retransmitted > 0))
        {
            _myTokenHeld = false;
            forwardToken = true;
        }

        FccRtrLimit(token.Seq, ref transmitsAllowed);
        var seq = token.Seq;
        var mcasted = OrfTokenMcast(ref seq, transmitsAllowed);

        var transmitted = retransmitted + mcasted;
        var fcc = unchecked(token.Fcc + transmitted - _myTrc);
        var backlog = unchecked(token.Backlog + _myCbl - _myPbl);
        _myTrc = transmitted;
        _myPbl = _myCbl;

        var aru = token.Aru;
        var aruAddr = token.AruAddr;
        if (SeqNo.Lt(_myAru, aru) || _myId == aruAddr || aruAddr.Value == 0)
        {
            aru = _myAru;
            aruAddr = aru == seq ? default : _myId;
        }
        if (aru == lastAru && aruAddr.Value != 0) _myAruCount++;
        else _myAruCount = 0;

        // As in corosync (not the paper): a node that keeps holding the aru back marks itself failed.
        if (_myAruCount > _timeouts.FailReceiveConst && aruAddr == _myId)
        {
            Log(SrpLogLevel.Error, "FAILED TO RECEIVE");
            _stats.FailedToReceive++;
            _failedToRecv = true;
            SetMerge(_failed, _myId);
            GatherEnter(GatherFrom.FailedToReceive);
            return;
        }

        _myTokenSeq = token.TokenSeq;
        var retransFlg = token.RetransFlg;
        if (State == SrpState.Recovery)
            retransFlg = RecoveryTokenStep(retransFlg, seq, aru);

        var next = new OrfToken(_myId, _ringId, seq, unchecked(token.TokenSeq + 1), aru, aruAddr, backlog, fcc,
            retransFlg, rtr.ToValueList());
        TokenSend(next, forwardToken);

        if (State == SrpState.Operational)
            MessagesDeliverToApp(skip: false, _myHighSeqReceived, _safeAru);

        ResetTokenTimeout();
        ResetTokenRetransmitTimeout();
        if (IAmRep && _myTokenHeld)
            StartTimer(SrpTimer.TokenHold, _timeouts.Hold);
    }

    private void RecordTokenReceived()
    {
        if (_lastTokenRxMs >= 0)
        {
            var rotation = _now - _lastTokenRxMs;
            _stats.TokenRotationLastMs = rotation;
            _rotationSamples.Enqueue(rotation);
            _rotationSampleSum += rotation;
            if (_rotationSamples.Count > RotationSamples) _rotationSampleSum -= _rotationSamples.Dequeue();
        }
        _lastTokenRxMs = _now;
    }

    private void TokenSend(TotemMessage token, bool forward)
    {
        _retransmitToken = token;
        if (!forward) return;
        _stats.OrfTokenTx++;
        Unicast(token, _tokenTarget);
    }

    private void TokenRetransmit()
    {
        if (_retransmitToken is null) return;
        _stats.OrfTokenTx++;
        Unicast(_retransmitToken, _tokenTarget);
    }

    private void TokenRetransmitTimeout()
    {
        if (State == SrpState.Gather) return;
        TokenRetransmit();
        ResetTokenRetransmitTimeout();
    }

    private void TokenHoldTimeout()
    {
        if (State is SrpState.Operational or SrpState.Recovery) TokenRetransmit();
    }

    private void OrfTokenWarning()
    {
        if (_timeouts.TokenWarningPercent == 0) return;
        var elapsed = _lastTokenRxMs < 0 ? _now : _now - _lastTokenRxMs;
        Log(SrpLogLevel.Notice, "Token has not been received in {ElapsedMs} ms", elapsed);
        StartTimer(SrpTimer.TokenWarning, TokenWarningDelay);
    }

    private void TokenHoldCancelSend()
    {
        if (!_myTokenHeld) return;
        _myTokenHeld = false;
        _stats.TokenHoldCancelTx++;
        Multicast(new TokenHoldCancel(_myId, _ringId));
    }

    private void OnTokenHoldCancel(TokenHoldCancel cancel)
    {
        if (cancel.RingId != _ringId) return;
        _mySeqUnchanged = 0;
        if (IAmRep) TokenRetransmitTimeout();
    }

    // ---- flow control (fcc_calculate, fcc_rtr_limit) ----

    private uint FccCalculate(OrfToken token)
    {
        var allowed = _timeouts.MaxMessages;
        var window = _timeouts.WindowSize;
        var room = token.Fcc >= window ? 0u : window - token.Fcc;
        if (allowed > room) allowed = room;

        _myCbl = BacklogGet();
        var denominator = unchecked(token.Backlog + _myCbl - _myPbl);
        if (denominator != 0)
        {
            var backlogCalc = (uint)((ulong)window * _myPbl / denominator);
            if (backlogCalc > 0 && allowed > backlogCalc) allowed = backlogCalc;
        }
        return allowed;
    }

    private uint BacklogGet()
    {
        uint backlog = State switch
        {
            SrpState.Operational => (uint)_newMessages.Count,
            SrpState.Recovery => (uint)_retransMessages.Count,
            _ => 0,
        };
        _backlogSamples.Enqueue(backlog);
        _backlogSampleSum += backlog;
        if (_backlogSamples.Count > RotationSamples) _backlogSampleSum -= _backlogSamples.Dequeue();
        return backlog;
    }

    /// <summary>Never let the sort queue overflow: stop sending when the ring runs too far ahead of what is released.</summary>
    private void FccRtrLimit(uint tokenSeq, ref uint transmitsAllowed)
    {
        var limit = unchecked(ActiveQueue.LastReleased + (uint)SortQueue.Capacity - transmitsAllowed - _timeouts.WindowSize);
        if (SeqNo.Lt(limit, tokenSeq)) transmitsAllowed = 0;
    }

    // ---- multicast and retransmission (orf_token_mcast, orf_token_rtr) ----

    private uint OrfTokenMcast(ref uint seq, uint allowed)
    {
        var queue = ActiveQueue;
        var recovering = State == SrpState.Recovery;
        if (recovering) ResetTokenRetransmitTimeout();

        uint sent = 0;
        for (; sent < allowed; sent++)
        {
            McastMessage message;
            if (recovering)
            {
                if (_retransMessages.Count == 0) break;
                var old = _retransMessages.Dequeue();
                seq = unchecked(seq + 1);
                message = new McastMessage(_myId, _ringId, seq, _myId, DeliveryGuarantee.Agreed, ValueList<byte>.Empty, old);
            }
            else
            {
                if (_newMessages.Count == 0) break;
                var submitted = _newMessages.Dequeue();
                seq = unchecked(seq + 1);
                message = new McastMessage(_myId, _ringId, seq, _myId, submitted.Guarantee, submitted.Payload, null);
            }
            queue.Add(seq, message);
            Multicast(message);
            _myHighSeqReceived = seq;
        }
        UpdateAru();
        return sent;
    }

    private uint OrfTokenRtr(uint tokenSeq, List<uint> rtr, ref uint transmitsAllowed)
    {
        var queue = ActiveQueue;
        if (rtr.Count > 0)
            Log(SrpLogLevel.Notice, "Retransmit List: {Seqs}",
                string.Join(" ", rtr.Select(s => s.ToString("x", CultureInfo.InvariantCulture))));

        // Answer what others miss and we have; what we answered leaves the list.
        uint remcast = 0;
        var i = 0;
        while (remcast < transmitsAllowed && i < rtr.Count)
        {
            if (queue.InRange(rtr[i]) && queue.TryGet(rtr[i], out var message))
            {
                Multicast(message with { Sender = _myId });
                rtr.RemoveAt(i);
                _stats.McastRetx++;
                remcast++;
            }
            else
            {
                i++;
            }
        }
        transmitsAllowed -= remcast;

        // Ask for what we miss, once it has been missing for miss_count_const visits (late mcasts get a chance).
        var range = SeqNo.Distance(_myAru, tokenSeq);
        for (var k = 1; rtr.Count < RetransmitEntriesMax && k <= range; k++)
        {
            var seq = unchecked(_myAru + (uint)k);
            if (!queue.InRange(seq)) break;
            if (queue.Has(seq)) continue;
            if (queue.IncrementMissCount(seq) < _timeouts.MissCountConst) continue;
            if (!rtr.Contains(seq))
            {
                rtr.Add(seq);
                _stats.RetransmitRequests++;
            }
        }
        return remcast;
    }

    private void UpdateAru()
    {
        var queue = ActiveQueue;
        var range = SeqNo.Distance(_myAru, _myHighSeqReceived);
        var start = _myAru;
        var advanced = 0;
        for (var i = 1; i <= range; i++)
        {
            if (!queue.Has(unchecked(start + (uint)i))) break;
            advanced = i;
        }
        _myAru = unchecked(start + (uint)advanced);
    }

    /// <summary>Release what every member has (the lower of the token's aru on this and the previous visit) and we delivered.</summary>
    private void MessagesFree(uint tokenAru)
    {
        var releaseTo = tokenAru;
        if (SeqNo.Lt(_myLastAru, releaseTo)) releaseTo = _myLastAru;
        if (SeqNo.Lt(_myHighDelivered, releaseTo)) releaseTo = _myHighDelivered;
        if (SeqNo.Lt(releaseTo, _regular.LastReleased)) return;
        _regular.ReleaseUpTo(releaseTo);
    }

    private void OnMcast(McastMessage mcast)
    {
        var queue = mcast.Encapsulated is null ? _regular : _recovery;

        if (mcast.RingId != _ringId)
        {
            OnForeignMessage(mcast.Source, GatherFrom.ForeignMessageInOperational, GatherFrom.ForeignMessageInGather);
            return;
        }

        if (queue.InRange(mcast.Seq) && !queue.Has(mcast.Seq))
        {
            if (SeqNo.Lt(_myHighSeqReceived, mcast.Seq)) _myHighSeqReceived = mcast.Seq;
            queue.Add(mcast.Seq, mcast);
        }
        UpdateAru();
        if (State == SrpState.Operational)
            MessagesDeliverToApp(skip: false, _myHighSeqReceived, _safeAru);
    }

    /// <summary>
    /// Delivers in seq order up to <paramref name="endPoint"/>. Without skip, stop at the first gap and at a
    /// safe message not yet known to be everywhere; with skip (the transitional configuration) deliver past gaps.
    /// </summary>
    private void MessagesDeliverToApp(bool skip, uint endPoint, uint safeUpTo)
    {
        var range = SeqNo.Distance(_myHighDelivered, endPoint);
        var start = _myHighDelivered;
        for (var i = 1; i <= range; i++)
        {
            var seq = unchecked(start + (uint)i);
            if (!_regular.InRange(seq)) break;
            var present = _regular.TryGet(seq, out var mcast);
            if (!present && !skip) break;
            if (present && !skip && mcast.Guarantee == DeliveryGuarantee.Safe && SeqNo.Gt(seq, safeUpTo)) break;
            _myHighDelivered = seq;
            if (!present) continue;
            _stats.MessagesDelivered++;
            _out.Add(new Delivered(mcast.RingId, mcast.Seq, mcast.Source, mcast.Guarantee, mcast.Payload));
        }
    }
}
