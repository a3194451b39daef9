namespace Totem.Host.Control.Api;

/// <summary>POST /v1/messages answers 202 with this: the node's own submission number and the payload size.</summary>
public sealed record SubmitAcceptedDto(long Index, int Bytes);

/// <summary>POST /v1/messages with a JSON array answers 202 with this: the submission index of the first message, how many, their bytes.</summary>
public sealed record SubmitBatchAcceptedDto(long FirstIndex, int Count, long Bytes);

/// <summary>
/// GET /v1/messages?from=K&amp;max=M. <see cref="Next"/> is the index to ask for next; payload is the
/// posted body decoded as UTF-8 (invalid bytes become U+FFFD).
/// </summary>
public sealed record MessagesDto(long From, long Next, IReadOnlyList<MessageDto> Messages);

public sealed record MessageDto(long Index, RingIdDto RingId, uint Seq, uint Sender, string Payload, DateTimeOffset DeliveredAt);
