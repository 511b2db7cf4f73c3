using System.Text;

namespace Aster.Fory;

/// <summary>
/// The naming rules shared by the Fory codec, the contract model and the JSON mode (contracts-and-fory.md, part C).
/// </summary>
public static class WireNaming
{
    /// <summary>
    /// Converts a C# identifier to its default wire name: acronym-aware snake_case (<c>UserID</c> → <c>user_id</c>,
    /// <c>HTTPStatus</c> → <c>http_status</c>, <c>Address2Line</c> → <c>address2_line</c>).
    /// </summary>
    public static string ToSnakeCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        StringBuilder builder = new(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsAsciiLetterUpper(c))
            {
                if (i > 0 && name[i - 1] != '_')
                {
                    bool previousUpper = char.IsAsciiLetterUpper(name[i - 1]);
                    bool nextIsNonUpper = i + 1 < name.Length && !char.IsAsciiLetterUpper(name[i + 1]);
                    if (!previousUpper || nextIsNonUpper)
                    {
                        builder.Append('_');
                    }
                }

                builder.Append((char)(c | 0x20));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// The camelCase alias of a wire name: each <c>_</c> followed by <c>a</c>–<c>z</c> is removed and the letter
    /// upper-cased; any other <c>_</c> is removed (<c>task_id</c> → <c>taskId</c>).
    /// </summary>
    public static string ToCamelCaseAlias(string wireName)
    {
        ArgumentNullException.ThrowIfNull(wireName);
        StringBuilder builder = new(wireName.Length);
        for (int i = 0; i < wireName.Length; i++)
        {
            char c = wireName[i];
            if (c == '_')
            {
                if (i + 1 < wireName.Length && char.IsAsciiLetterLower(wireName[i + 1]))
                {
                    builder.Append((char)(wireName[i + 1] & ~0x20));
                    i++;
                }
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// The loose form used to match names written by other conventions: every <c>_</c> deleted and ASCII letters
    /// lower-cased (<c>user_i_d</c> and <c>userId</c> both become <c>userid</c>).
    /// </summary>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        StringBuilder builder = new(name.Length);
        foreach (char c in name)
        {
            if (c != '_')
            {
                builder.Append(char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c);
            }
        }

        return builder.ToString();
    }

    /// <summary>The default wire method name: snake_case of the C# name without a trailing <c>Async</c>.</summary>
    public static string ToMethodWireName(string methodName)
    {
        ArgumentNullException.ThrowIfNull(methodName);
        string trimmed = methodName.Length > 5 && methodName.EndsWith("Async", StringComparison.Ordinal)
            ? methodName[..^5]
            : methodName;
        return ToSnakeCase(trimmed);
    }
}
