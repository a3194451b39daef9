namespace Totem.Actors;

/// <summary>Akka's status replies: an Ask whose reply is a <see cref="Failure"/> fails with its cause.</summary>
public static class Status
{
    public sealed record Success(object? Status);

    public sealed record Failure(Exception Cause);
}
