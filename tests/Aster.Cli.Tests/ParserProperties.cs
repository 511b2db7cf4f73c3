using System.Text.Json;
using Aster.Cli.Calls;
using Aster.Cli.Commands;
using Aster.Cli.Keys;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Cli.Tests;

/// <summary>The command-line decoders take any text: they return a value or a usage error, nothing else.</summary>
public sealed class ParserProperties
{
    private static readonly Config _config = Config.QuickThrowOnFailure.WithMaxTest(2_000);

    [Fact]
    public void RequestItems_AnyText_ParsesOrIsAUsageError()
        => Check.One(_config, Prop.ForAll(ArbMap.Default.ArbFor<string>(), text =>
        {
            try
            {
                RequestItems.ParseMany(text ?? string.Empty, "items");
            }
            catch (CliException ex) when (ex.ExitCode == ExitCodes.Usage)
            {
            }
        }));

    [Fact]
    public void Attributes_AnyText_ParsesOrIsAUsageError_AndWellFormedPairsRoundTrip()
    {
        Check.One(_config, Prop.ForAll(ArbMap.Default.ArbFor<string>(), text =>
        {
            try
            {
                EnrollCommand.ParseAttributes(text);
            }
            catch (CliException ex) when (ex.ExitCode == ExitCodes.Usage)
            {
            }
        }));

        Check.One(_config, Prop.ForAll(ArbMap.Default.ArbFor<Dictionary<int, int>>(), map =>
        {
            string text = string.Join(",", map.Select(kv => $"k{kv.Key}=v{kv.Value}"));
            Dictionary<string, string> parsed = EnrollCommand.ParseAttributes(text);
            return parsed.Count == map.Count && map.All(kv => parsed[$"k{kv.Key}"] == $"v{kv.Value}");
        }));
    }

    [Fact]
    public void Expiry_AnyText_IsInTheFutureOrAUsageError()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        Check.One(_config, Prop.ForAll(ArbMap.Default.ArbFor<string>(), text =>
        {
            try
            {
                return KeyFiles.ParseExpiry(text, now) > now;
            }
            catch (CliException ex) when (ex.ExitCode == ExitCodes.Usage)
            {
                return true;
            }
        }));

        Check.One(_config, Prop.ForAll(ArbMap.Default.ArbFor<PositiveInt>(), n =>
        {
            int minutes = n.Get % 100_000 + 1;
            return KeyFiles.ParseExpiry($"{minutes}m", now) == now.AddMinutes(minutes);
        }));
    }

    [Fact]
    public void Format_WritesWhatItRead()
        => Check.One(_config, Prop.ForAll(ArbMap.Default.ArbFor<Dictionary<string, int>>(), map =>
        {
            JsonElement value = JsonSerializer.SerializeToElement(map);
            using JsonDocument compact = JsonDocument.Parse(CallCommand.Format(value, pretty: false));
            using JsonDocument pretty = JsonDocument.Parse(CallCommand.Format(value, pretty: true));
            return JsonElement.DeepEquals(value, compact.RootElement) && JsonElement.DeepEquals(value, pretty.RootElement);
        }));
}
