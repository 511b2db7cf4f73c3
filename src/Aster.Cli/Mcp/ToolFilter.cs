using System.Text.RegularExpressions;

namespace Aster.Cli.Mcp;

/// <summary>
/// Which tools are visible (config-and-cli.md 11.4): hidden when any <c>--deny</c> pattern matches; otherwise, when
/// <c>--allow</c> patterns exist, visible only if one matches. <c>tag:NAME</c> matches a method tag exactly; any other
/// pattern is a case-sensitive glob (<c>*</c>, <c>?</c>, <c>[…]</c>) against the tool name.
/// </summary>
internal sealed class ToolFilter(IReadOnlyList<string> allow, IReadOnlyList<string> deny)
{
    public bool IsVisible(GatewayMethod method)
        => !deny.Any(p => Matches(p, method)) && (allow.Count == 0 || allow.Any(p => Matches(p, method)));

    internal static bool Matches(string pattern, GatewayMethod method)
        => pattern.StartsWith("tag:", StringComparison.Ordinal)
            ? method.Tags.Contains(pattern[4..], StringComparer.Ordinal)
            : Glob(pattern).IsMatch(method.ToolName);

    private static Regex Glob(string pattern)
    {
        var regex = new System.Text.StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[' when pattern.IndexOf(']', i + 1) is int end and > 0:
                    string set = pattern[(i + 1)..end];
                    regex.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                    i = end;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
