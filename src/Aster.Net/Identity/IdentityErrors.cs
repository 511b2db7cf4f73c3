using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Aster.Net.Identity;

/// <summary>
/// The one place where the identity layer builds its exceptions, so every message has the same shape:
/// "<c>{what}: {reason} (at character N)</c>" or "<c>… (at byte offset N)</c>".
/// </summary>
internal static class IdentityErrors
{
    /// <summary>Runs <paramref name="parse"/>, turning its <see cref="AddressFormatException"/> into false.</summary>
    public static bool TryParse<T>([NotNullWhen(true)] string? text, Func<string, T> parse, [NotNullWhen(true)] out T? result)
        where T : class
    {
        result = null;
        if (text is null)
        {
            return false;
        }

        try
        {
            result = parse(text);
            return true;
        }
        catch (AddressFormatException)
        {
            return false;
        }
    }

    /// <summary>A key problem at a character of a text input.</summary>
    public static KeyFormatException KeyAtCharacter(string what, string reason, int index)
        => new(Format(what, reason, "character", index), reason, index, null);

    /// <summary>A key problem at a byte of a binary input.</summary>
    public static KeyFormatException KeyAtByte(string what, string reason, int offset)
        => new(Format(what, reason, "byte offset", offset), reason, null, offset);

    /// <summary>A key problem that concerns the whole input (usually its length).</summary>
    public static KeyFormatException Key(string what, string reason)
        => new(Format(what, reason, null, 0), reason, null, null);

    /// <summary>An address problem at a character of a text input.</summary>
    public static AddressFormatException AddressAtCharacter(string what, string reason, int index)
        => new(Format(what, reason, "character", index), reason, index, null);

    /// <summary>An address problem at a byte of a binary input.</summary>
    public static AddressFormatException AddressAtByte(string what, string reason, int offset)
        => new(Format(what, reason, "byte offset", offset), reason, null, offset);

    /// <summary>An address problem that concerns the whole input or a value being encoded.</summary>
    public static AddressFormatException Address(string what, string reason)
        => new(Format(what, reason, null, 0), reason, null, null);

    private static string Format(string what, string reason, string? unit, int position)
        => unit is null
            ? string.Create(CultureInfo.InvariantCulture, $"Invalid {what}: {reason}.")
            : string.Create(CultureInfo.InvariantCulture, $"Invalid {what}: {reason} (at {unit} {position}).");
}
