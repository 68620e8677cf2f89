namespace Customers.Medusa;

/// <summary>
/// The e-mail check behind zod's <c>z.string().email()</c>, which Medusa uses: a local part of letters, digits and
/// <c>_ ' + - .</c> (not starting with a dot, not ending with a dot or apostrophe), <c>@</c>, then two or more dot-separated
/// labels of letters, digits and hyphens (not starting with a hyphen), the last being two or more letters. No <c>..</c>
/// anywhere. Written by hand so the check allocates nothing.
/// </summary>
public static class EmailAddress
{
    /// <summary>The longest e-mail on any route (RFC 5321's path limit less the angle brackets).</summary>
    public const int MaxLength = 254;

    /// <summary>The longest local part (before the last <c>@</c>; the whole text when there is none).</summary>
    public const int MaxLocalLength = 64;

    /// <summary>
    /// The one e-mail rule every route applies, whether or not it also checks the format (register does not, as in
    /// Medusa): at most <see cref="MaxLength"/> characters, a local part of at most <see cref="MaxLocalLength"/>, no
    /// control characters or whitespace. Null when <paramref name="text"/> keeps it, else the issue for field
    /// <paramref name="field"/> in Medusa's wording (prefix it with <c>Invalid request: </c>).
    /// </summary>
    public static string? BreaksRule(ReadOnlySpan<char> text, string field)
    {
        if (text.Length > MaxLength)
        {
            return Validation.TooLong(field, MaxLength);
        }

        foreach (var c in text)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                return $"Field '{field}' must not contain whitespace or control characters";
            }
        }

        var at = text.LastIndexOf('@');
        return (at < 0 ? text.Length : at) > MaxLocalLength
            ? $"Field '{field}' must have at most {MaxLocalLength} characters before the '@'"
            : null;
    }

    public static bool IsValid(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text[0] == '.' || text.IndexOf("..", StringComparison.Ordinal) >= 0)
        {
            return false;
        }

        var at = text.IndexOf('@');
        if (at <= 0)
        {
            return false;
        }

        var local = text[..at];
        foreach (var c in local)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '\'' or '+' or '-' or '.'))
            {
                return false;
            }
        }

        if (local[^1] is '.' or '\'')
        {
            return false;
        }

        return IsValidDomain(text[(at + 1)..]);
    }

    private static bool IsValidDomain(ReadOnlySpan<char> domain)
    {
        var lastDot = domain.LastIndexOf('.');
        if (lastDot <= 0)
        {
            return false;
        }

        var topLevel = domain[(lastDot + 1)..];
        if (topLevel.Length < 2)
        {
            return false;
        }

        foreach (var c in topLevel)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        // Every label before the top level: [A-Za-z0-9][A-Za-z0-9-]*
        foreach (var range in domain[..lastDot].Split('.'))
        {
            var label = domain[..lastDot][range];
            if (label.IsEmpty || !char.IsAsciiLetterOrDigit(label[0]))
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-'))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
