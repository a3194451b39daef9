namespace Totem.Host.Control.Api;

/// <summary>Every 4xx/5xx answer of the control API: what was wrong, in words that name the field or value.</summary>
public sealed record ErrorDto(string Error);
