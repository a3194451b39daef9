using Totem.Protocol.Security;

namespace Totem.Protocol.Tests.Security;

public sealed class ReplayWindowTests
{
    [Fact]
    public void The_first_datagram_of_a_sender_is_fresh_and_the_same_one_again_is_a_duplicate()
    {
        var window = new ReplayWindow();
        Assert.Equal(ReplayVerdict.Fresh, window.Accept(7, 42));
        Assert.Equal(ReplayVerdict.Duplicate, window.Accept(7, 42));
        Assert.Equal((7UL, 42UL), (window.Epoch, window.Highest));
    }

    [Fact]
    public void Check_never_changes_the_state()
    {
        var window = new ReplayWindow();
        Assert.Equal(ReplayVerdict.Fresh, window.Check(1, 5));
        Assert.Equal(ReplayVerdict.Fresh, window.Check(1, 5));
        Assert.Equal(ReplayVerdict.Fresh, window.Accept(1, 5));
        Assert.Equal(ReplayVerdict.Fresh, window.Check(1, 4));
        Assert.Equal(ReplayVerdict.Fresh, window.Check(1, 4));
        Assert.Equal(5UL, window.Highest);
    }

    [Fact]
    public void Reordered_counters_inside_the_window_are_fresh_once()
    {
        var window = new ReplayWindow();
        foreach (var c in new ulong[] { 10, 3, 7, 1, 9, 2 }) Assert.Equal(ReplayVerdict.Fresh, window.Accept(1, c));
        foreach (var c in new ulong[] { 10, 3, 7, 1, 9, 2 }) Assert.Equal(ReplayVerdict.Duplicate, window.Accept(1, c));
        Assert.Equal(ReplayVerdict.Fresh, window.Accept(1, 8));
    }

    [Fact]
    public void The_window_s_lower_edge_is_exactly_size_counters_below_the_highest()
    {
        var window = new ReplayWindow(1024);
        window.Accept(1, 2000);
        Assert.Equal(ReplayVerdict.Fresh, window.Check(1, 2000 - 1023));
        Assert.Equal(ReplayVerdict.BelowWindow, window.Check(1, 2000 - 1024));
        Assert.Equal(ReplayVerdict.BelowWindow, window.Check(1, 0));
        Assert.Equal(ReplayVerdict.Fresh, window.Accept(1, 2000 - 1023));
        Assert.Equal(ReplayVerdict.Duplicate, window.Check(1, 2000 - 1023));
        // One step up and the edge counter falls out of the window: below it, no longer a duplicate.
        window.Accept(1, 2001);
        Assert.Equal(ReplayVerdict.BelowWindow, window.Check(1, 2000 - 1023));
        Assert.Equal(ReplayVerdict.Fresh, window.Check(1, 2001 - 1023));
    }

    [Fact]
    public void Sliding_less_than_a_window_frees_the_slots_of_the_counters_it_passes()
    {
        var window = new ReplayWindow(1024);
        for (ulong c = 1; c <= 1024; c++) Assert.Equal(ReplayVerdict.Fresh, window.Accept(1, c));
        Assert.Equal(ReplayVerdict.Fresh, window.Accept(1, 1030));
        // 1025..1029 share slots with 1..5, which were seen: they must not be taken for duplicates.
        for (ulong c = 1025; c < 1030; c++) Assert.Equal(ReplayVerdict.Fresh, window.Check(1, c));
        for (ulong c = 1; c <= 6; c++) Assert.Equal(ReplayVerdict.BelowWindow, window.Check(1, c));
        for (ulong c = 7; c <= 1024; c++) Assert.Equal(ReplayVerdict.Duplicate, window.Check(1, c));
    }

    [Fact]
    public void Sliding_a_whole_window_or_more_forgets_every_slot()
    {
        var window = new ReplayWindow(64);
        for (ulong c = 1; c <= 64; c++) window.Accept(1, c);
        Assert.Equal(ReplayVerdict.Fresh, window.Accept(1, 64 + 64));
        for (ulong c = 65; c < 128; c++) Assert.Equal(ReplayVerdict.Fresh, window.Check(1, c));
        Assert.Equal(ReplayVerdict.Fresh, window.Accept(1, 10_000));
        for (ulong c = 10_000 - 63; c < 10_000; c++) Assert.Equal(ReplayVerdict.Fresh, window.Check(1, c));
        Assert.Equal(ReplayVerdict.BelowWindow, window.Check(1, 10_000 - 64));
    }

    [Fact]
    public void An_older_epoch_is_refused_and_a_newer_one_starts_a_new_window()
    {
        var window = new ReplayWindow();
        window.Accept(100, 5000);
        Assert.Equal(ReplayVerdict.OlderEpoch, window.Check(99, 5001));
        Assert.Equal(ReplayVerdict.OlderEpoch, window.Check(0, 1));
        // The restarted sender counts from 1 again: fresh in its new epoch, and the old life is closed for good.
        Assert.Equal(ReplayVerdict.Fresh, window.Accept(101, 1));
        Assert.Equal(ReplayVerdict.OlderEpoch, window.Check(100, 5001));
        Assert.Equal(ReplayVerdict.Duplicate, window.Check(101, 1));
        Assert.Equal(ReplayVerdict.Fresh, window.Check(101, 2));
        Assert.Equal((101UL, 1UL), (window.Epoch, window.Highest));
    }

    [Fact]
    public void Counters_at_the_ends_of_the_range_work()
    {
        var window = new ReplayWindow(64);
        Assert.Equal(ReplayVerdict.Fresh, window.Accept(ulong.MaxValue, 0));
        Assert.Equal(ReplayVerdict.Duplicate, window.Check(ulong.MaxValue, 0));
        Assert.Equal(ReplayVerdict.Fresh, window.Accept(ulong.MaxValue, ulong.MaxValue));
        Assert.Equal(ReplayVerdict.BelowWindow, window.Check(ulong.MaxValue, 0));
        Assert.Equal(ReplayVerdict.Fresh, window.Check(ulong.MaxValue, ulong.MaxValue - 63));
        Assert.Equal(ReplayVerdict.BelowWindow, window.Check(ulong.MaxValue, ulong.MaxValue - 64));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-64)]
    [InlineData(100)]
    public void A_size_that_is_not_a_positive_multiple_of_64_is_refused(int size) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayWindow(size));

    /// <summary>Every sequence of three (epoch, counter) pairs over a range that crosses the window's edges, against a model that remembers everything.</summary>
    [Fact]
    public void Every_three_step_sequence_agrees_with_a_model_that_remembers_every_counter()
    {
        const int size = 64;
        var counters = new ulong[] { 0, 1, 2, 30, 62, 63, 64, 65, 66, 100, 126, 127, 128, 129, 200, 1000 };
        var epochs = new ulong[] { 1, 2 };
        var steps = epochs.SelectMany(e => counters.Select(c => (Epoch: e, Counter: c))).ToArray();
        var sequences = 0;
        foreach (var a in steps)
        foreach (var b in steps)
        foreach (var c in steps)
        {
            var window = new ReplayWindow(size);
            var model = new Model(size);
            foreach (var (e, n) in new[] { a, b, c })
                Assert.Equal(model.Accept(e, n), window.Accept(e, n));
            sequences++;
        }
        Assert.Equal(32 * 32 * 32, sequences);
    }

    [Fact]
    public void Long_random_runs_agree_with_the_model()
    {
        for (var seed = 1; seed <= 20; seed++)
        {
            var random = new Random(seed);
            var window = new ReplayWindow(128);
            var model = new Model(128);
            ulong epoch = 1, top = 0;
            for (var i = 0; i < 5_000; i++)
            {
                if (random.Next(500) == 0) epoch++;
                top += (ulong)random.Next(0, 4);
                var counter = top - Math.Min(top, (ulong)random.Next(0, 300));
                var e = random.Next(50) == 0 ? epoch - 1 : epoch;
                Assert.Equal(model.Accept(e, counter), window.Accept(e, counter));
            }
        }
    }

    /// <summary>The definition the window implements, without its bitmap: every counter of the current epoch is remembered.</summary>
    private sealed class Model(int size)
    {
        private readonly HashSet<ulong> _seen = new();
        private bool _started;
        private ulong _epoch;
        private ulong _highest;

        public ReplayVerdict Accept(ulong epoch, ulong counter)
        {
            if (_started && epoch < _epoch) return ReplayVerdict.OlderEpoch;
            if (!_started || epoch > _epoch)
            {
                _started = true;
                _epoch = epoch;
                _highest = counter;
                _seen.Clear();
                _seen.Add(counter);
                return ReplayVerdict.Fresh;
            }
            if (counter <= _highest && _highest - counter >= (ulong)size) return ReplayVerdict.BelowWindow;
            if (!_seen.Add(counter)) return ReplayVerdict.Duplicate;
            _highest = Math.Max(_highest, counter);
            return ReplayVerdict.Fresh;
        }
    }
}
