namespace Totem.MultiProcess.Tests;

/// <summary>
/// A test that drives Debian's chromium headless: skipped, saying why, where /usr/bin/chromium is missing
/// (.ci/run installs it; `apt-get install -y chromium`). Nothing downloads a browser.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium)) Skip = $"{Chromium} is missing: apt-get install -y chromium (.ci/run installs it)";
    }
}
