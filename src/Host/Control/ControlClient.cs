using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Totem.Host.Control.Api;

namespace Totem.Host.Control;

/// <summary>
/// The typed client of totemd's control API. Errors from the server become <see cref="ControlApiException"/>;
/// a node that cannot be reached surfaces as <see cref="HttpRequestException"/>.
/// </summary>
public sealed class ControlClient(HttpClient http)
{
    public Uri BaseAddress => http.BaseAddress ?? throw new InvalidOperationException("The HttpClient has no base address.");

    public Task<StatusDto> GetStatusAsync(CancellationToken ct) => GetAsync<StatusDto>("v1/status", ct);

    public Task<RuntimeDto> GetRuntimeAsync(string? prefix, CancellationToken ct) =>
        GetAsync<RuntimeDto>(string.IsNullOrEmpty(prefix) ? "v1/runtime" : $"v1/runtime?prefix={Uri.EscapeDataString(prefix)}", ct);

    /// <summary>The timing the node runs now (GET /v1/timeouts), as `totemctl timeouts` prints it.</summary>
    public Task<TimeoutsDto> GetTimeoutsAsync(CancellationToken ct) => GetAsync<TimeoutsDto>("v1/timeouts", ct);

    public Task<MessagesDto> GetMessagesAsync(long from, int? max, CancellationToken ct) =>
        GetAsync<MessagesDto>(max is null ? $"v1/messages?from={from}" : $"v1/messages?from={from}&max={max}", ct);

    public async Task<SubmitAcceptedDto> SendAsync(byte[] payload, CancellationToken ct)
    {
        using var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await http.PostAsync("v1/messages", content, ct).ConfigureAwait(false);
        return await ReadAsync<SubmitAcceptedDto>(response, ct).ConfigureAwait(false);
    }

    public Task<ExpectedVotesDto> SetExpectedVotesAsync(uint votes, CancellationToken ct) =>
        PostJsonAsync<ExpectedVotesRequest, ExpectedVotesDto>("v1/quorum/expected", new ExpectedVotesRequest(votes), ct);

    public async Task<ReloadDto> ReloadAsync(CancellationToken ct)
    {
        using var response = await http.PostAsync("v1/config/reload", content: null, ct).ConfigureAwait(false);
        return await ReadAsync<ReloadDto>(response, ct).ConfigureAwait(false);
    }

    /// <summary>GET /v1/store/PATH: a key of the node's copy of the replicated store.</summary>
    public Task<StoreEntryDto> GetStoreAsync(string path, CancellationToken ct) => GetAsync<StoreEntryDto>(StoreUri(path), ct);

    /// <summary>GET /v1/store/PATH?list: a directory's names.</summary>
    public Task<StoreListDto> ListStoreAsync(string path, CancellationToken ct) => GetAsync<StoreListDto>(StoreUri(path) + "?list", ct);

    /// <summary>PUT /v1/store/PATH (<paramref name="expectedVersion"/>: If-Match, 0 for If-None-Match: *); refused without quorum.</summary>
    public async Task<StoreWrittenDto> PutStoreAsync(string path, byte[] value, ulong? expectedVersion, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, StoreUri(path)) { Content = new ByteArrayContent(value) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        Expect(request, expectedVersion);
        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        return await ReadAsync<StoreWrittenDto>(response, ct).ConfigureAwait(false);
    }

    /// <summary>DELETE /v1/store/PATH; refused without quorum.</summary>
    public async Task<StoreWrittenDto> RemoveStoreAsync(string path, ulong? expectedVersion, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, StoreUri(path));
        Expect(request, expectedVersion);
        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        return await ReadAsync<StoreWrittenDto>(response, ct).ConfigureAwait(false);
    }

    /// <summary>Each segment escaped, so a store path's characters reach the server as typed.</summary>
    private static string StoreUri(string path) =>
        "v1/store" + (path == "/" ? "" : string.Concat(path.Split('/').Skip(path.StartsWith('/') ? 1 : 0).Select(s => "/" + Uri.EscapeDataString(s))));

    private static void Expect(HttpRequestMessage request, ulong? expectedVersion)
    {
        if (expectedVersion == 0) request.Headers.TryAddWithoutValidation("If-None-Match", "*");
        else if (expectedVersion is { } v) request.Headers.TryAddWithoutValidation("If-Match", v.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public Task<FaultsDto> GetFaultsAsync(CancellationToken ct) => GetAsync<FaultsDto>("v1/faults", ct);

    public Task<FaultsDto> SetFaultAsync(FaultRequest request, CancellationToken ct) =>
        PostJsonAsync<FaultRequest, FaultsDto>("v1/faults", request, ct);

    /// <param name="peer">Only this peer's override.</param>
    /// <param name="link">Only this knet link's fault.</param>
    public async Task<FaultsDto> ClearFaultsAsync(uint? peer, CancellationToken ct, uint? link = null)
    {
        var query = (peer, link) switch
        {
            ({ } p, { } l) => $"?peer={p}&link={l}",
            ({ } p, null) => $"?peer={p}",
            (null, { } l) => $"?link={l}",
            _ => "",
        };
        using var response = await http.DeleteAsync("v1/faults" + query, ct).ConfigureAwait(false);
        return await ReadAsync<FaultsDto>(response, ct).ConfigureAwait(false);
    }

    public async Task<string> GetMetricsTextAsync(CancellationToken ct)
    {
        using var response = await http.GetAsync("metrics", ct).ConfigureAwait(false);
        await ThrowIfErrorAsync(response, ct).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Reads the server-sent event stream until the server closes it or <paramref name="ct"/> fires.</summary>
    public async IAsyncEnumerable<EventDto> WatchAsync([EnumeratorCancellation] CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        await ThrowIfErrorAsync(response, ct).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    var dto = JsonSerializer.Deserialize(data.ToString(), ControlJson.Options.TypeInfo<EventDto>());
                    data.Clear();
                    if (dto is not null) yield return dto;
                }
                continue;
            }
            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                if (data.Length > 0) data.Append('\n');
                data.Append(line.AsSpan(5).TrimStart(' '));
            }
        }
    }

    private async Task<T> GetAsync<T>(string path, CancellationToken ct)
    {
        using var response = await http.GetAsync(path, ct).ConfigureAwait(false);
        return await ReadAsync<T>(response, ct).ConfigureAwait(false);
    }

    private async Task<TResponse> PostJsonAsync<TRequest, TResponse>(string path, TRequest body, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(path, body, ControlJson.Options.TypeInfo<TRequest>(), ct).ConfigureAwait(false);
        return await ReadAsync<TResponse>(response, ct).ConfigureAwait(false);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        await ThrowIfErrorAsync(response, ct).ConfigureAwait(false);
        var value = await response.Content.ReadFromJsonAsync(ControlJson.Options.TypeInfo<T>(), ct).ConfigureAwait(false);
        return value ?? throw new ControlApiException(response.StatusCode, $"empty answer from {response.RequestMessage?.RequestUri}");
    }

    private static async Task ThrowIfErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        string message;
        try
        {
            message = JsonSerializer.Deserialize(text, ControlJson.Options.TypeInfo<ErrorDto>())?.Error ?? text;
        }
        catch (JsonException)
        {
            message = text.Length == 0 ? response.ReasonPhrase ?? "no details" : text;
        }
        throw new ControlApiException(response.StatusCode,
            $"{(int)response.StatusCode} {(response.StatusCode == 0 ? "" : response.StatusCode.ToString())}: {message}");
    }
}
