using System.Text;

namespace Totem.Protocol.Config.Syntax;

/// <summary>The syntax tree of one file plus what was wrong with it (syntax and substitution errors).</summary>
public sealed record ConfigSyntaxResult(ConfigSection Root, IReadOnlyList<ConfigDiagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>
/// Reads corosync.conf syntax, which is the brace-and-colon subset of HOCON that Proxmox writes to
/// /etc/pve/corosync.conf: <c>name { ... }</c> sections, <c>key: value</c> or <c>key = value</c>,
/// <c>#</c> and <c>//</c> comments (whole-line or after a value), "quoted strings" with JSON escapes,
/// unquoted values up to the end of the line, and HOCON's <c>${VAR}</c> / <c>${?VAR}</c> environment
/// substitution inside unquoted values. Pure: the environment comes in as a function.
/// </summary>
/// <remarks>
/// Parsing stops at the first syntax error, as corosync's coroparse does: after a broken brace
/// structure every later line would be misattributed. Substitution errors do not break the
/// structure, so all of them are reported.
/// </remarks>
public sealed class ConfigSyntaxParser
{
    private readonly string _text;
    private readonly string _file;
    private readonly Func<string, string?> _environment;
    private readonly List<ConfigDiagnostic> _diagnostics = new();
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    private ConfigSyntaxParser(string text, string file, Func<string, string?> environment)
    {
        _text = text;
        _file = file;
        _environment = environment;
        if (_text.Length > 0 && _text[0] == '\uFEFF') _pos = _lineStart = 1;
    }

    public static ConfigSyntaxResult Parse(string text, string fileName, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(environment);
        var parser = new ConfigSyntaxParser(text, fileName, environment);
        var rootPosition = new SourcePosition(fileName, 1, 1);
        try
        {
            var entries = parser.ParseEntries(openedBy: null);
            return new ConfigSyntaxResult(new ConfigSection("", rootPosition, entries), parser._diagnostics);
        }
        catch (SyntaxError e)
        {
            parser._diagnostics.Add(e.Diagnostic);
            return new ConfigSyntaxResult(new ConfigSection("", rootPosition, Array.Empty<ConfigEntry>()), parser._diagnostics);
        }
    }

    private sealed class SyntaxError(ConfigDiagnostic diagnostic) : Exception(diagnostic.Message)
    {
        public ConfigDiagnostic Diagnostic { get; } = diagnostic;
    }

    private SourcePosition Here => new(_file, _line, _pos - _lineStart + 1);

    private bool AtEnd => _pos >= _text.Length;

    private char Peek(int ahead = 0) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';

    private static bool IsBlank(char c) => c is ' ' or '\t' or '\u00A0';

    private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.';

    private SyntaxError Fail(SourcePosition at, string message) => new(ConfigDiagnostic.Error(at, message));

    private static string Describe(char c) => c switch
    {
        '\0' => "end of file",
        '\n' or '\r' => "end of line",
        _ => $"'{c}'",
    };

    private void SkipBlanks()
    {
        while (!AtEnd && IsBlank(Peek())) _pos++;
    }

    private bool AtCommentStart => Peek() == '#' || (Peek() == '/' && Peek(1) == '/');

    private void SkipToEndOfLine()
    {
        while (!AtEnd && Peek() is not '\n' and not '\r') _pos++;
    }

    private bool TryNewline()
    {
        if (Peek() == '\r')
        {
            _pos++;
            if (Peek() == '\n') _pos++;
        }
        else if (Peek() == '\n')
        {
            _pos++;
        }
        else
        {
            return false;
        }
        _line++;
        _lineStart = _pos;
        return true;
    }

    /// <summary>Skips blanks, comments and line breaks between entries.</summary>
    private void SkipTrivia()
    {
        while (!AtEnd)
        {
            SkipBlanks();
            if (AtCommentStart) SkipToEndOfLine();
            if (!TryNewline()) return;
        }
    }

    private List<ConfigEntry> ParseEntries(ConfigSection? openedBy)
    {
        var entries = new List<ConfigEntry>();
        while (true)
        {
            SkipTrivia();
            if (AtEnd)
            {
                if (openedBy is not null)
                    throw Fail(openedBy.Position,
                        $"section '{openedBy.Name}' opened here is not closed: expected '}}' before the end of the file");
                return entries;
            }
            var c = Peek();
            if (c == '}')
            {
                if (openedBy is null)
                    throw Fail(Here, "unexpected '}': there is no open section to close");
                _pos++;
                EndOfItem("'}'");
                return entries;
            }
            if (c == ',')
            {
                // HOCON allows a comma between fields; it carries no meaning.
                _pos++;
                continue;
            }
            var entry = ParseEntry();
            if (entry is not null) entries.Add(entry);
        }
    }

    private ConfigEntry? ParseEntry()
    {
        var at = Here;
        var key = ParseKey();
        SkipBlanks();
        var c = Peek();
        if (c is ':' or '=')
        {
            _pos++;
            SkipBlanks();
            if (Peek() == '{')
            {
                _pos++;
                return ParseSectionBody(key, at);
            }
            return ParseValue(key, at);
        }
        if (c == '{')
        {
            _pos++;
            return ParseSectionBody(key, at);
        }
        throw Fail(Here,
            $"expected ':' or '=' followed by a value, or '{{' to open a section, after '{key}' but found {Describe(c)}");
    }

    private string ParseKey()
    {
        var c = Peek();
        if (c == '"') return ParseQuoted();
        var start = _pos;
        while (!AtEnd && IsKeyChar(Peek())) _pos++;
        if (_pos == start)
            throw Fail(Here, $"unexpected {Describe(c)}: expected a key, a section name, '}}' or a comment");
        return _text[start.._pos];
    }

    private ConfigSection ParseSectionBody(string name, SourcePosition at)
    {
        // Content may follow '{' on the same line (HOCON); the section closes at its own '}'.
        var placeholder = new ConfigSection(name, at, Array.Empty<ConfigEntry>());
        var entries = ParseEntries(placeholder);
        return placeholder with { Entries = entries };
    }

    /// <summary>After a value or a closing brace only a comment, a line end, a comma or '}' may follow.</summary>
    private void EndOfItem(string after)
    {
        SkipBlanks();
        if (AtEnd || AtCommentStart || Peek() is '\n' or '\r' or '}' or ',') return;
        throw Fail(Here, $"unexpected {Describe(Peek())} after {after}: expected the end of the line");
    }

    private ConfigValue? ParseValue(string key, SourcePosition at)
    {
        var valueAt = Here;
        var c = Peek();
        if (AtEnd || c is '\n' or '\r' || AtCommentStart || c is '}' or ',')
            throw Fail(valueAt, $"missing value for key '{key}': expected a value after the separator");
        if (c == '"')
        {
            var quoted = ParseQuoted();
            EndOfItem("the quoted value of '" + key + "'");
            return new ConfigValue(key, quoted, at, valueAt);
        }
        return ParseUnquoted(key, at, valueAt);
    }

    private string ParseQuoted()
    {
        var open = Here;
        _pos++;
        var sb = new StringBuilder();
        while (true)
        {
            if (AtEnd || Peek() is '\n' or '\r')
                throw Fail(open, "unterminated quoted string: expected a closing '\"' on the same line");
            var c = _text[_pos++];
            if (c == '"') return sb.ToString();
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            var escapeAt = Here;
            var e = Peek();
            _pos++;
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (_pos + 4 <= _text.Length && ushort.TryParse(_text.AsSpan(_pos, 4),
                            System.Globalization.NumberStyles.AllowHexSpecifier, null, out var code))
                    {
                        sb.Append((char)code);
                        _pos += 4;
                        break;
                    }
                    throw Fail(escapeAt, "bad escape '\\u': expected four hexadecimal digits");
                default:
                    throw Fail(escapeAt,
                        $"bad escape '\\{e}' in quoted string: expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
            }
        }
    }

    private abstract record Piece;
    private sealed record Literal(string Text) : Piece;
    private sealed record Substitution(string Variable, bool Optional, SourcePosition At) : Piece;

    private ConfigValue? ParseUnquoted(string key, SourcePosition at, SourcePosition valueAt)
    {
        var pieces = new List<Piece>();
        var literal = new StringBuilder();
        while (!AtEnd && Peek() is not '\n' and not '\r' and not '}' && !AtCommentStart)
        {
            if (Peek() == '$' && Peek(1) == '{')
            {
                if (literal.Length > 0) pieces.Add(new Literal(literal.ToString()));
                literal.Clear();
                pieces.Add(ParseSubstitution());
                continue;
            }
            literal.Append(_text[_pos++]);
        }
        if (literal.Length > 0) pieces.Add(new Literal(literal.ToString()));

        // Trailing blanks before a comment or brace are layout, not value.
        if (pieces.Count > 0 && pieces[^1] is Literal last)
        {
            var trimmed = last.Text.TrimEnd(' ', '\t', '\u00A0');
            if (trimmed.Length == 0) pieces.RemoveAt(pieces.Count - 1);
            else pieces[^1] = new Literal(trimmed);
        }
        return Substitute(key, at, valueAt, pieces);
    }

    private Substitution ParseSubstitution()
    {
        var at = Here;
        _pos += 2;
        var optional = false;
        if (Peek() == '?')
        {
            optional = true;
            _pos++;
        }
        var start = _pos;
        while (!AtEnd && IsKeyChar(Peek())) _pos++;
        var name = _text[start.._pos];
        if (name.Length == 0)
            throw Fail(at, $"bad substitution: expected a variable name after '{(optional ? "${?" : "${")}'");
        if (Peek() != '}')
            throw Fail(Here, $"bad substitution '${{{(optional ? "?" : "")}{name}': expected '}}' but found {Describe(Peek())}");
        _pos++;
        return new Substitution(name, optional, at);
    }

    /// <summary>
    /// Resolves <c>${VAR}</c> pieces. A missing required variable is an error; a value made only
    /// of missing optional variables makes the key absent (HOCON's rule), and inside a larger value
    /// a missing optional variable contributes nothing. A variable set to the empty string counts
    /// as missing, because compose passes unset variables through as empty ones.
    /// </summary>
    private ConfigValue? Substitute(string key, SourcePosition at, SourcePosition valueAt, List<Piece> pieces)
    {
        var sb = new StringBuilder();
        var anyDefined = false;
        var substituted = false;
        var failed = false;
        foreach (var piece in pieces)
        {
            switch (piece)
            {
                case Literal l:
                    sb.Append(l.Text);
                    if (!string.IsNullOrWhiteSpace(l.Text)) anyDefined = true;
                    break;
                case Substitution s:
                    var value = _environment(s.Variable);
                    if (!string.IsNullOrEmpty(value))
                    {
                        sb.Append(value);
                        anyDefined = true;
                        substituted = true;
                    }
                    else if (!s.Optional)
                    {
                        _diagnostics.Add(ConfigDiagnostic.Error(s.At,
                            $"environment variable {s.Variable} is not set, but key '{key}' requires it (${{{s.Variable}}}); " +
                            $"set it, or write ${{?{s.Variable}}} to leave the key unset when it is missing"));
                        failed = true;
                    }
                    break;
            }
        }
        if (failed || !anyDefined) return null;
        return new ConfigValue(key, sb.ToString().Trim(), at, valueAt, substituted);
    }
}
