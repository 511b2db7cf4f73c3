using System.Text.Json;

namespace Aster.Cli.Calls;

/// <summary>Request values from the command line: one JSON document, or a stream of them from a file or stdin.</summary>
internal static class RequestItems
{
    /// <summary>Parses one JSON document; a malformed one is a usage error.</summary>
    public static JsonElement ParseOne(string text, string what)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw CliException.Usage($"{what} is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>Parses the items of <c>--items</c>: a JSON array, or one JSON document per line (blank lines skipped).</summary>
    public static List<JsonElement> ParseMany(string text, string what)
    {
        string trimmed = text.TrimStart();
        if (trimmed.StartsWith('['))
        {
            JsonElement array = ParseOne(trimmed, what);
            return [.. array.EnumerateArray()];
        }

        List<JsonElement> items = [];
        int line = 0;
        foreach (string raw in text.Split('\n'))
        {
            line++;
            if (raw.Trim().Length > 0)
            {
                items.Add(ParseOne(raw, $"{what} line {line}"));
            }
        }

        return items;
    }

    /// <summary>The items as an async sequence.</summary>
    public static async IAsyncEnumerable<JsonElement> AsAsync(IEnumerable<JsonElement> items)
    {
        foreach (JsonElement item in items)
        {
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
