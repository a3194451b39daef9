using System.Text;
using Totem.Protocol.Config;

namespace Totem.Host.Totemd.Settings;

/// <summary>
/// A structural check of a HOCON file before Akka's reader sees it, and where each key was written.
/// Akka's built-in reader (Akka.Configuration) reports no line numbers and accepts or mishandles
/// broken input: an unclosed <c>{</c>, a key without a value or an unterminated string load silently,
/// an unclosed <c>[</c> never returns, and <c>${?VAR}</c> yields an empty value and drops every key
/// after it. This pass refuses those with file, line and column, so a broken file stops totemd as a
/// broken corosync.conf does; Akka's reader then does the real parse.
/// </summary>
public static class HoconSyntax
{
    public sealed record Result(IReadOnlyList<ConfigDiagnostic> Diagnostics, IReadOnlyDictionary<string, SourcePosition> Positions)
    {
        public bool IsValid => Diagnostics.All(d => !d.IsError);
    }

    public static Result Check(string text, string fileName)
    {
        var scanner = new Scanner(text, fileName);
        var tokens = scanner.Tokens();
        var diagnostics = new List<ConfigDiagnostic>(scanner.Diagnostics);
        var positions = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
        // A tokenizer error (unterminated string, "${?") already names the place; the structure
        // after it would only add confusing follow-up errors.
        if (diagnostics.Count == 0) new Parser(tokens, fileName, diagnostics, positions).Root();
        return new Result(diagnostics, positions);
    }

    private enum Kind { Newline, Comma, Colon, Equals, PlusEquals, OpenBrace, CloseBrace, OpenBracket, CloseBracket, Quoted, Unquoted, Substitution, End }

    private readonly record struct Token(Kind Kind, string Text, int Line, int Column);

    private sealed class Scanner(string text, string file)
    {
        private int _i;
        private int _line = 1;
        private int _column = 1;

        public List<ConfigDiagnostic> Diagnostics { get; } = [];

        public List<Token> Tokens()
        {
            var tokens = new List<Token>();
            while (_i < text.Length && Diagnostics.Count == 0)
            {
                var c = text[_i];
                var (line, column) = (_line, _column);
                if (c == '\n')
                {
                    Advance();
                    tokens.Add(new Token(Kind.Newline, "\n", line, column));
                }
                else if (char.IsWhiteSpace(c) || c == '\uFEFF')
                {
                    Advance();
                }
                else if (c == '#' || (c == '/' && Peek(1) == '/'))
                {
                    while (_i < text.Length && text[_i] != '\n') Advance();
                }
                else if (Single(c) is { } kind)
                {
                    Advance();
                    tokens.Add(new Token(kind, c.ToString(), line, column));
                }
                else if (c == '+' && Peek(1) == '=')
                {
                    Advance();
                    Advance();
                    tokens.Add(new Token(Kind.PlusEquals, "+=", line, column));
                }
                else if (c == '"')
                {
                    tokens.Add(new Token(Kind.Quoted, QuotedString(line, column), line, column));
                }
                else if (c == '$' && Peek(1) == '{')
                {
                    tokens.Add(new Token(Kind.Substitution, Substitution(line, column), line, column));
                }
                else
                {
                    var start = _i;
                    while (_i < text.Length && IsUnquoted(text[_i]) && !(text[_i] == '/' && Peek(1) == '/') && !(text[_i] == '$' && Peek(1) == '{')
                           && !(text[_i] == '+' && Peek(1) == '='))
                        Advance();
                    if (_i == start)
                    {
                        Error(line, column, $"unexpected character '{c}'");
                        break;
                    }
                    tokens.Add(new Token(Kind.Unquoted, text[start.._i], line, column));
                }
            }
            tokens.Add(new Token(Kind.End, "", _line, _column));
            return tokens;
        }

        private static Kind? Single(char c) => c switch
        {
            ',' => Kind.Comma,
            ':' => Kind.Colon,
            '=' => Kind.Equals,
            '{' => Kind.OpenBrace,
            '}' => Kind.CloseBrace,
            '[' => Kind.OpenBracket,
            ']' => Kind.CloseBracket,
            _ => null,
        };

        private static bool IsUnquoted(char c) => !char.IsWhiteSpace(c) && "{}[],:=#\"".IndexOf(c, StringComparison.Ordinal) < 0;

        private string QuotedString(int line, int column)
        {
            if (Peek(1) == '"' && Peek(2) == '"')
            {
                Advance();
                Advance();
                Advance();
                var start = _i;
                while (_i < text.Length && !(text[_i] == '"' && Peek(1) == '"' && Peek(2) == '"')) Advance();
                if (_i >= text.Length)
                {
                    Error(line, column, "a \"\"\" string is never closed");
                    return "";
                }
                var value = text[start.._i];
                Advance();
                Advance();
                Advance();
                return value;
            }
            Advance();
            var b = new StringBuilder();
            while (true)
            {
                if (_i >= text.Length || text[_i] == '\n')
                {
                    Error(line, column, "a quoted string is not closed on its line");
                    return b.ToString();
                }
                var c = text[_i];
                if (c == '"')
                {
                    Advance();
                    return b.ToString();
                }
                if (c == '\\')
                {
                    Advance();
                    if (_i >= text.Length) continue;
                }
                b.Append(text[_i]);
                Advance();
            }
        }

        private string Substitution(int line, int column)
        {
            Advance();
            Advance();
            var start = _i;
            while (_i < text.Length && text[_i] != '}' && text[_i] != '\n') Advance();
            if (_i >= text.Length || text[_i] != '}')
            {
                Error(line, column, "a ${...} substitution is not closed on its line");
                return "";
            }
            var inner = text[start.._i].Trim();
            Advance();
            if (inner.StartsWith('?'))
                Error(line, column, $"optional substitution ${{{inner}}} is not supported: Akka's HOCON reader turns it into an empty value and drops the keys after it; write the value, or set it in the cluster file, which supports ${{?VAR}}");
            else if (inner.Length == 0)
                Error(line, column, "empty substitution ${}");
            return inner;
        }

        private char Peek(int ahead) => _i + ahead < text.Length ? text[_i + ahead] : '\0';

        private void Advance()
        {
            if (text[_i] == '\n')
            {
                _line++;
                _column = 1;
            }
            else
            {
                _column++;
            }
            _i++;
        }

        private void Error(int line, int column, string message) => Diagnostics.Add(ConfigDiagnostic.Error(new SourcePosition(file, line, column), message));
    }

    /// <summary>Objects, arrays, fields and values; stops at the first error (as the cluster file's parser does).</summary>
    private sealed class Parser(List<Token> tokens, string file, List<ConfigDiagnostic> diagnostics, Dictionary<string, SourcePosition> positions)
    {
        private int _i;

        private Token Current => tokens[_i];

        private bool Failed => diagnostics.Count > 0;

        public void Root()
        {
            SkipNewlines();
            if (Current.Kind == Kind.OpenBrace)
            {
                var open = Current;
                _i++;
                Fields("", open);
                if (Failed) return;
                _i++;
                SkipSeparators();
            }
            else
            {
                Fields("", null);
            }
            if (!Failed && Current.Kind != Kind.End) Error(Current, Current.Kind == Kind.CloseBrace ? "'}' closes no object" : $"unexpected '{Current.Text}'");
        }

        /// <summary>Fields up to the closing brace of <paramref name="open"/> (left as the current token), or to the end of the file.</summary>
        private void Fields(string prefix, Token? open)
        {
            while (!Failed)
            {
                SkipSeparators();
                var t = Current;
                if (t.Kind == Kind.End)
                {
                    if (open is { } o) Error(o, "this '{' is never closed");
                    return;
                }
                if (t.Kind == Kind.CloseBrace)
                {
                    if (open is null) Error(t, "'}' closes no object");
                    return;
                }
                Field(prefix);
            }
        }

        private void Field(string prefix)
        {
            var start = Current;
            if (start.Kind == Kind.Unquoted && start.Text == "include")
            {
                Error(start, "include is not supported by Akka's HOCON reader here: put the settings in this file");
                return;
            }
            var segments = new List<string>();
            while (Current.Kind is Kind.Unquoted or Kind.Quoted)
            {
                if (Current.Kind == Kind.Quoted) segments.Add(Current.Text);
                else segments.AddRange(Current.Text.Split('.'));
                _i++;
            }
            if (segments.Count == 0 || segments.Any(s => s.Length == 0))
            {
                Error(start, segments.Count == 0 ? $"expected a key, found '{Describe(start)}'" : $"'{start.Text}' is not a key (an empty path segment)");
                return;
            }
            var path = prefix + string.Join('.', segments);
            var at = new SourcePosition(file, start.Line, start.Column);
            positions[path] = at;
            switch (Current.Kind)
            {
                case Kind.OpenBrace:
                    Object(path);
                    return;
                case Kind.Colon or Kind.Equals or Kind.PlusEquals:
                    _i++;
                    if (Current.Kind == Kind.OpenBrace)
                    {
                        Object(path);
                        return;
                    }
                    Value(path, start);
                    return;
                default:
                    Error(start, $"key '{path}' must be followed by ':', '=' or '{{', found '{Describe(Current)}'");
                    return;
            }
        }

        private void Object(string path)
        {
            var open = Current;
            _i++;
            Fields(path + ".", open);
            if (!Failed) _i++;
        }

        /// <summary>A value runs to the end of its line, a ',' or the enclosing '}' / ']'; several parts on one line concatenate ("10 ms").</summary>
        private void Value(string path, Token key)
        {
            var parts = 0;
            while (!Failed)
            {
                switch (Current.Kind)
                {
                    case Kind.Quoted or Kind.Unquoted or Kind.Substitution:
                        _i++;
                        parts++;
                        continue;
                    case Kind.OpenBracket:
                        Array(path);
                        parts++;
                        continue;
                    case Kind.OpenBrace:
                        Object(path);
                        parts++;
                        continue;
                    case Kind.Colon or Kind.Equals or Kind.PlusEquals:
                        Error(Current, $"unexpected '{Current.Text}' in the value of '{path}' (quote a value that contains it)");
                        return;
                }
                if (parts == 0) Error(key, $"key '{path}' has no value");
                return;
            }
        }

        private void Array(string path)
        {
            var open = Current;
            _i++;
            while (!Failed)
            {
                SkipSeparators();
                switch (Current.Kind)
                {
                    case Kind.CloseBracket:
                        _i++;
                        return;
                    case Kind.End:
                        Error(open, $"the '[' of '{path}' is never closed");
                        return;
                    case Kind.Quoted or Kind.Unquoted or Kind.Substitution:
                        _i++;
                        continue;
                    case Kind.OpenBracket:
                        Array(path);
                        continue;
                    case Kind.OpenBrace:
                        Object(path + ".[]");
                        continue;
                    default:
                        Error(Current, $"unexpected '{Describe(Current)}' in the list of '{path}'");
                        return;
                }
            }
        }

        private void SkipNewlines()
        {
            while (Current.Kind == Kind.Newline) _i++;
        }

        private void SkipSeparators()
        {
            while (Current.Kind is Kind.Newline or Kind.Comma) _i++;
        }

        private static string Describe(Token t) => t.Kind switch
        {
            Kind.End => "the end of the file",
            Kind.Newline => "the end of the line",
            _ => t.Text,
        };

        private void Error(Token at, string message) => diagnostics.Add(ConfigDiagnostic.Error(new SourcePosition(file, at.Line, at.Column), message));
    }
}
