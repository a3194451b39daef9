using System.Text;
using System.Text.Json;
using Totem.Protocol.Client;

namespace Totem.Host.Totemd.Api;

/// <summary>
/// The batch form of POST /v1/messages: a JSON array of strings, each one message of its UTF-8 bytes. The checks are
/// the single form's (empty, too large) per element, and the client socket's bounds on a batch; every error names the
/// element (by index) or the byte offset at fault.
/// </summary>
public static class MessageBatchBody
{
    public static (IReadOnlyList<ReadOnlyMemory<byte>>? Messages, (int Status, string Message)? Problem) Parse(ReadOnlySpan<byte> body)
    {
        var messages = new List<ReadOnlyMemory<byte>>();
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) return Bad("the batch body must be a JSON array of strings");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var index = messages.Count;
                if (reader.TokenType != JsonTokenType.String)
                    return Bad($"element {index} of the batch (offset {reader.TokenStartIndex}) is {Describe(reader.TokenType)}; each element is a string, the message's text");
                var text = reader.GetString()!;
                if (text.Length == 0) return Bad($"element {index} of the batch is an empty message");
                var bytes = Encoding.UTF8.GetBytes(text);
                if (bytes.Length > ClientFrameCodec.MaxMessageBytes)
                    return (null, (StatusCodes.Status413PayloadTooLarge, $"element {index} of the batch has {bytes.Length} bytes, above the limit of {ClientFrameCodec.MaxMessageBytes} bytes"));
                if (messages.Count == ClientFrameCodec.MaxBatchMessages)
                    return (null, (StatusCodes.Status413PayloadTooLarge, $"the batch has more than {ClientFrameCodec.MaxBatchMessages} messages"));
                messages.Add(bytes);
            }
            if (reader.TokenType != JsonTokenType.EndArray) return Bad("the batch body ends before its array does");
            // Anything but whitespace after the array makes the reader throw (one JSON value per body).
            reader.Read();
        }
        catch (JsonException ex)
        {
            return Bad($"invalid JSON in the batch body: {ex.Message}");
        }
        return messages.Count == 0 ? Bad("empty batch: the array holds no message") : (messages, null);
    }

    private static (IReadOnlyList<ReadOnlyMemory<byte>>?, (int, string)?) Bad(string message) => (null, (StatusCodes.Status400BadRequest, message));

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
