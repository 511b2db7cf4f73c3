using System.Text;
using Aster.Client;
using Aster.Codec;
using Aster.Contracts;
using Aster.Fory;
using Aster.Framing;
using Aster.Protocol;
using Aster.Server;
using Aster.Testing;
using Aster.Tests.Compression.Zstd;

namespace Aster.Tests.Rpc;

/// <summary>
/// Which data frames go on the wire COMPRESSED (wire-protocol.md 4.5, D7): client requests in both modes and XLANG
/// server responses, over 4096 bytes and only when smaller; never JSON responses, headers, trailers or sentinels; never
/// from a side whose compression is switched off. A tap between a real client and server records every frame.
/// </summary>
public sealed class CompressionWireTests
{
    private static readonly string _bigText = Encoding.ASCII.GetString(ZstdCorpus.Text(20_000, 31));

    public static TheoryData<SerializationMode, MethodPattern> ModesAndPatterns => new()
    {
        { SerializationMode.Xlang, MethodPattern.Unary },
        { SerializationMode.Xlang, MethodPattern.ServerStream },
        { SerializationMode.Xlang, MethodPattern.ClientStream },
        { SerializationMode.Xlang, MethodPattern.BidiStream },
        { SerializationMode.Json, MethodPattern.Unary },
        { SerializationMode.Json, MethodPattern.ServerStream },
        { SerializationMode.Json, MethodPattern.ClientStream },
        { SerializationMode.Json, MethodPattern.BidiStream },
    };

    [Theory]
    [MemberData(nameof(ModesAndPatterns))]
    public async Task LargeMessages_RequestsCompressed_ResponsesOnlyInXlang(SerializationMode mode, MethodPattern pattern)
    {
        List<WireFrame> frames = await RunAsync(mode, pattern, new SqueezeBlob(_bigText, []));

        AssertControlFramesPlain(frames);
        Assert.All(DataFrames(frames, fromClient: true), f => Assert.True(f.Compressed, $"request frame {f.Flags} not compressed"));
        Assert.All(DataFrames(frames, fromClient: false), f => Assert.Equal(mode == SerializationMode.Xlang, f.Compressed));
        Assert.All(frames.Where(f => f.Compressed), f => Assert.True(f.Payload.Length < 20_000 / 2, $"compressed frame of {f.Payload.Length} bytes"));
    }

    [Theory]
    [InlineData(SerializationMode.Xlang)]
    [InlineData(SerializationMode.Json)]
    public async Task SmallMessages_NeverCompressed(SerializationMode mode)
    {
        List<WireFrame> frames = await RunAsync(mode, MethodPattern.BidiStream, new SqueezeBlob(new string('a', 4000), []));

        Assert.NotEmpty(DataFrames(frames, fromClient: true));
        Assert.DoesNotContain(frames, f => f.Compressed);
    }

    [Fact]
    public async Task IncompressibleMessages_SentPlain()
    {
        List<WireFrame> frames = await RunAsync(SerializationMode.Xlang, MethodPattern.Unary, new SqueezeBlob("", ZstdCorpus.Noise(20_000, 32)));

        Assert.Equal(2, frames.Count(f => f.IsData));
        Assert.DoesNotContain(frames, f => f.Compressed);
    }

    [Theory]
    [InlineData(MethodPattern.Unary)]
    [InlineData(MethodPattern.BidiStream)]
    public async Task ClientCompressionOff_ServerReceivesNoCompressedFrame(MethodPattern pattern)
    {
        List<WireFrame> frames = await RunAsync(SerializationMode.Xlang, pattern, new SqueezeBlob(_bigText, []), clientCompression: false);

        Assert.NotEmpty(DataFrames(frames, fromClient: true));
        Assert.DoesNotContain(frames, f => f.FromClient && f.Compressed);
        Assert.All(DataFrames(frames, fromClient: false), f => Assert.True(f.Compressed));
    }

    [Theory]
    [InlineData(MethodPattern.Unary)]
    [InlineData(MethodPattern.ServerStream)]
    public async Task ServerCompressionOff_ClientReceivesNoCompressedFrame(MethodPattern pattern)
    {
        List<WireFrame> frames = await RunAsync(SerializationMode.Xlang, pattern, new SqueezeBlob(_bigText, []), serverCompression: false);

        Assert.NotEmpty(DataFrames(frames, fromClient: false));
        Assert.DoesNotContain(frames, f => !f.FromClient && f.Compressed);
        Assert.All(DataFrames(frames, fromClient: true), f => Assert.True(f.Compressed));
    }

    [ZstdCliFact]
    public async Task CompressedRequest_IsARealZstdFrame()
    {
        List<WireFrame> frames = await RunAsync(SerializationMode.Json, MethodPattern.Unary, new SqueezeBlob(_bigText, []));

        WireFrame request = Assert.Single(DataFrames(frames, fromClient: true));
        Assert.Equal(FrameFlags.Compressed | FrameFlags.EndStream, request.Flags);
        string json = Encoding.UTF8.GetString(ZstdCli.Decompress(request.Payload));
        Assert.Contains(_bigText, json, StringComparison.Ordinal);
    }

    private static IEnumerable<WireFrame> DataFrames(List<WireFrame> frames, bool fromClient) =>
        frames.Where(f => f.FromClient == fromClient && f.IsData);

    /// <summary>Headers, trailers, the END_STREAM sentinel and CANCEL never carry COMPRESSED (4.5, D10).</summary>
    private static void AssertControlFramesPlain(List<WireFrame> frames)
    {
        Assert.Contains(frames, f => (f.Flags & FrameFlags.Header) != 0);
        Assert.Contains(frames, f => (f.Flags & FrameFlags.Trailer) != 0);
        Assert.All(frames.Where(f => !f.IsData), f => Assert.False(f.Compressed, $"control frame {f.Flags} compressed"));
    }

    private static async Task<List<WireFrame>> RunAsync(SerializationMode mode, MethodPattern pattern, SqueezeBlob message, bool clientCompression = true, bool serverCompression = true)
    {
        var codecs = new ForyCodecProvider();
        WireTap tap = await WireTap.RunAsync(
            new AsterServerOptions { Codecs = codecs, EnableCompression = serverCompression },
            [SqueezeService.Definition()],
            new AsterClientOptions { Codecs = codecs, DefaultSerializationMode = mode, EnableCompression = clientCompression },
            async client =>
            {
                List<SqueezeBlob> replies = await SqueezeService.CallAsync(client, pattern, message).DefaultTimeout();
                Assert.NotEmpty(replies);
                Assert.All(replies, r =>
                {
                    Assert.Equal(message.Text, r.Text);
                    Assert.Equal(message.Bytes, r.Bytes);
                });
            });
        return [.. tap.Frames];
    }
}

[WireType("squeeze/Blob")]
public sealed record SqueezeBlob(string Text, byte[] Bytes);

/// <summary>One method per call pattern, each answering with what it received.</summary>
internal static class SqueezeService
{
    private static readonly ClientMethod<SqueezeBlob, SqueezeBlob> _echo = new("Squeeze", 1, "echo", MethodPattern.Unary);
    private static readonly ClientMethod<SqueezeBlob, SqueezeBlob> _repeat = new("Squeeze", 1, "repeat", MethodPattern.ServerStream);
    private static readonly ClientMethod<SqueezeBlob, SqueezeBlob> _last = new("Squeeze", 1, "last", MethodPattern.ClientStream);
    private static readonly ClientMethod<SqueezeBlob, SqueezeBlob> _echoAll = new("Squeeze", 1, "echoAll", MethodPattern.BidiStream);

    public static ServiceDefinition Definition()
        => ServiceDefinition.CreateShared("Squeeze", 1, new object())
            .AddUnary<SqueezeBlob, SqueezeBlob>("echo", (_, r, _) => ValueTask.FromResult(r))
            .AddServerStreaming<SqueezeBlob, SqueezeBlob>("repeat", (_, r, _) => Repeat(r, 3))
            .AddClientStreaming<SqueezeBlob, SqueezeBlob>("last", async (_, requests, _) =>
            {
                SqueezeBlob? last = null;
                await foreach (SqueezeBlob request in requests)
                {
                    last = request;
                }

                return last ?? new SqueezeBlob("", []);
            })
            .AddDuplexStreaming<SqueezeBlob, SqueezeBlob>("echoAll", (_, requests, _) => requests)
            .Build();

    public static async Task<List<SqueezeBlob>> CallAsync(AsterClient client, MethodPattern pattern, SqueezeBlob message, CallOptions options = default)
    {
        var replies = new List<SqueezeBlob>();
        switch (pattern)
        {
            case MethodPattern.Unary:
                replies.Add(await client.UnaryAsync(_echo, message, options));
                break;
            case MethodPattern.ServerStream:
                await foreach (SqueezeBlob reply in client.ServerStreamingAsync(_repeat, message, options))
                {
                    replies.Add(reply);
                }

                break;
            case MethodPattern.ClientStream:
                replies.Add(await client.ClientStreamingAsync(_last, Repeat(message, 3), options));
                break;
            default:
                await foreach (SqueezeBlob reply in client.DuplexStreamingAsync(_echoAll, Repeat(message, 3), options))
                {
                    replies.Add(reply);
                }

                break;
        }

        return replies;
    }

    private static async IAsyncEnumerable<SqueezeBlob> Repeat(SqueezeBlob message, int count)
    {
        for (int i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return message;
        }
    }
}
