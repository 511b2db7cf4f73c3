using System.Text;
using System.Text.Json;
using Aster.Framing;
using Aster.Server;
using Aster.Testing;
using Aster.Transport;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Tests.Rpc;

/// <summary>
/// Random frame sequences on a release 0.1.2 session stream (wire-protocol.md 20.5): whatever arrives, the server ends
/// the stream after the client's FIN within the time limit, a second session on the same connection keeps its state
/// and answers, a fresh call on the connection works, and every session instance is released. The test service's
/// handler that waits for cancellation is left out: a FIN during it rightly keeps the stream open until its time limit.
/// </summary>
public sealed class Release012SessionPropertyTests
{
    private static readonly byte[] _empty = [];

    [Fact]
    public void RandomFrameSequences_NeverHangTheStream_NorHarmAnotherSession()
    {
        Gen<(FrameFlags Flags, byte[] Payload)> frame = Gen.OneOf(
            from method in Gen.Elements("add", "count", "sum", "echo", "note", "nope", "")
            from deadline in Gen.Elements(0L, 1L)
            select (FrameFlags.Call, Utf8($$"""{"method":"{{method}}","callId":"c","deadlineEpochMs":{{deadline}},"metadataKeys":[],"metadataValues":[]}""")),
            Gen.Constant((FrameFlags.Call, Utf8("{\"method\":"))),
            from amount in Gen.Choose(-2, 5)
            select (FrameFlags.None, Utf8($$"""{"amount":{{amount}}}""")),
            Gen.Constant((FrameFlags.None, Utf8("{\"bogus\":1}"))),
            Gen.Constant((FrameFlags.EndStream, _empty)),
            Gen.Constant((FrameFlags.Trailer, Utf8("""{"code":0,"message":"","detailKeys":[],"detailValues":[]}"""))),
            Gen.Constant((FrameFlags.Trailer, Utf8("""{"code":3,"message":"x","detailKeys":[],"detailValues":[]}"""))),
            Gen.Constant((FrameFlags.Trailer, Utf8("nope"))),
            Gen.Constant((FrameFlags.Cancel, _empty)),
            Gen.Constant((FrameFlags.Header, Utf8(Release012SessionServerTests.Header("Tally", "")))),
            from flags in Gen.Choose(0, 255)
            from bytes in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))
            select ((FrameFlags)flags, bytes));
        Arbitrary<(FrameFlags Flags, byte[] Payload)[]> sequences = Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(frame, n)).ToArbitrary();

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), Prop.ForAll(sequences, frames =>
            Task.Run(() => ScenarioAsync(frames)).GetAwaiter().GetResult()));
    }

    private static async Task<bool> ScenarioAsync((FrameFlags Flags, byte[] Payload)[] frames)
    {
        var tracker = new Release012SessionServerTests.Tracker();
        var options = new AsterServerOptions { Codecs = JsonTestCodecProvider.Instance };
        var server = new AsterServer([Release012SessionServerTests.Tally(tracker), Release012SessionServerTests.Plain()], options);
        (IRpcConnection client, IRpcConnection serverEnd) = InMemoryTransport.CreatePair();
        Task serving = server.ServeConnectionAsync(serverEnd);
        try
        {
            await using RawStream bystander = await OpenSessionAsync(client);
            Assert.Equal(5, await AddAsync(bystander, 5));

            await using (RawStream victim = await OpenSessionAsync(client))
            {
                try
                {
                    foreach ((FrameFlags flags, byte[] payload) in frames)
                    {
                        await victim.WriteFrameAsync(flags, payload);
                    }

                    await victim.FinishAsync();
                }
                catch (Exception ex) when (ex is IOException or InvalidOperationException)
                {
                    // The server may have ended the stream already; that is one of the allowed outcomes.
                }

                Assert.True((await victim.ReadToEndAsync()).Ended, "the server must end the session stream");
            }

            Assert.Equal(6, await AddAsync(bystander, 1));
            await using (RawStream plain = await RawStream.OpenAsync(client))
            {
                await plain.WriteFrameAsync(FrameFlags.Header, Utf8(Release012SessionServerTests.Header("Plain", "ping")));
                await plain.WriteFrameAsync(FrameFlags.None, Utf8("""{"amount":9}"""));
                await plain.FinishAsync();
                (List<(FrameFlags Flags, byte[] Payload)> answer, bool ended) = await plain.ReadToEndAsync();
                Assert.True(ended);
                Assert.Equal([FrameFlags.None, FrameFlags.Trailer], answer.Select(f => f.Flags));
            }

            await bystander.FinishAsync();
            Assert.True((await bystander.ReadToEndAsync()).Ended);
        }
        finally
        {
            await client.CloseAsync(0, "done");
            await server.DisposeAsync();
            await serving.DefaultTimeout();
        }

        Assert.Equal(tracker.Created, tracker.Disposed);
        return true;
    }

    private static async Task<RawStream> OpenSessionAsync(IRpcConnection client)
    {
        RawStream stream = await RawStream.OpenAsync(client);
        await stream.WriteFrameAsync(FrameFlags.Header, Utf8(Release012SessionServerTests.Header("Tally", "")));
        return stream;
    }

    private static async Task<int> AddAsync(RawStream session, int amount)
    {
        await session.WriteFrameAsync(FrameFlags.Call, Utf8("""{"method":"add","callId":"b","deadlineEpochMs":0,"metadataKeys":[],"metadataValues":[]}"""));
        await session.WriteFrameAsync(FrameFlags.None, Utf8($$"""{"amount":{{amount}}}"""));
        (FrameFlags flags, byte[] payload) = Assert.NotNull(await session.ReadFrameAsync());
        Assert.True(flags == FrameFlags.None, $"expected DATA, got flags {flags}: {Encoding.UTF8.GetString(payload)}");
        using JsonDocument doc = JsonDocument.Parse(payload);
        return doc.RootElement.GetProperty("total").GetInt32();
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
