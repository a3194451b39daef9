namespace Totem.Protocol.Whatif;

/// <summary>How a predicted event rate stands against a measured one.</summary>
public enum RateVerdict
{
    /// <summary>Both rates above zero and neither more than the factor above the other.</summary>
    Within,

    /// <summary>One rate more than the factor above the other, or events on one side only.</summary>
    Outside,

    /// <summary>No event on either side: the runs agree, but on nothing; they validate no rate.</summary>
    NoEvents,
}

/// <summary>
/// A measured event count over real time against a predicted count over virtual time (issue 15's validation: the
/// advisor's token losses against a real ring's). Rates are per hour; <see cref="Ratio"/> is predicted / measured.
/// </summary>
public sealed record RateComparison(long MeasuredEvents, TimeSpan MeasuredTime, long PredictedEvents, TimeSpan PredictedTime, double Factor)
{
    public double MeasuredPerHour => MeasuredEvents / MeasuredTime.TotalHours;

    public double PredictedPerHour => PredictedEvents / PredictedTime.TotalHours;

    /// <summary>Predicted / measured; +infinity when only the prediction has events, NaN when neither has.</summary>
    public double Ratio => MeasuredEvents == 0
        ? PredictedEvents == 0 ? double.NaN : double.PositiveInfinity
        : PredictedPerHour / MeasuredPerHour;

    public RateVerdict Verdict =>
        MeasuredEvents == 0 && PredictedEvents == 0 ? RateVerdict.NoEvents
        : MeasuredEvents == 0 || PredictedEvents == 0 ? RateVerdict.Outside
        : Ratio <= Factor && Ratio >= 1 / Factor ? RateVerdict.Within
        : RateVerdict.Outside;

    public static RateComparison Of(long measuredEvents, TimeSpan measuredTime, long predictedEvents, TimeSpan predictedTime, double factor = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(measuredEvents);
        ArgumentOutOfRangeException.ThrowIfNegative(predictedEvents);
        if (measuredTime <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(measuredTime), measuredTime, "the measured time must be above zero");
        if (predictedTime <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(predictedTime), predictedTime, "the predicted time must be above zero");
        if (!(factor > 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "the factor must be above 1");
        return new RateComparison(measuredEvents, measuredTime, predictedEvents, predictedTime, factor);
    }
}
