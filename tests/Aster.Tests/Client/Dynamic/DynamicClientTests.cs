using System.Runtime.CompilerServices;
using System.Text.Json;
using Aster.Client;
using Aster.Client.Dynamic;
using Aster.Codec;
using Aster.Fory;
using Aster.Fory.Dynamic;
using Aster.Protocol;
using Aster.Server;
using Aster.Testing;
using Aster.Transport;

namespace Aster.Tests.Client.Dynamic;

[WireType("dyn/EchoRequest")]
public sealed record EchoRequest(string Text = "", int Count = 1);

[WireType("dyn/EchoReply")]
public sealed record EchoReply(string Text = "", int Index = 0);

[AsterService(Name = "Echo", MethodNaming = MethodNaming.CamelCase)]
public interface IEcho
{
    ValueTask<EchoReply> SayAsync(EchoRequest request, CancellationToken cancellationToken = default);

    IAsyncEnumerable<EchoReply> RepeatAsync(EchoRequest request, CancellationToken cancellationToken = default);

    ValueTask<EchoReply> JoinAsync(IAsyncEnumerable<EchoRequest> requests, CancellationToken cancellationToken = default);

    IAsyncEnumerable<EchoReply> ChatAsync(IAsyncEnumerable<EchoRequest> requests, CancellationToken cancellationToken = default);
}

/// <summary>The dynamic client against a real C# service over the in-memory transport, in JSON mode and in XLANG.</summary>
public sealed class DynamicClientTests
{
    private static readonly ForyCodecProvider _codecs = new();

    [Fact]
    public async Task Unary_JsonInJsonOut()
    {
        await using var pair = await Pair.StartAsync();
        JsonElement reply = await pair.Dynamic.UnaryAsync(DynamicMethod.Parse("Echo.say"), Json("""{"text":"hi"}""")).DefaultTimeout();
        Assert.Equal("hi!", reply.GetProperty("text").GetString());
        Assert.Equal(0, reply.GetProperty("index").GetInt32());
    }

    [Fact]
    public async Task ServerStream_YieldsEveryItem_AndAlsoCallsUnaryMethods()
    {
        await using var pair = await Pair.StartAsync();
        List<JsonElement> items = await pair.Dynamic.ServerStreamingAsync(DynamicMethod.Parse("Echo.repeat"), Json("""{"text":"x","count":3}""")).CollectAsync();
        Assert.Equal([0, 1, 2], items.Select(i => i.GetProperty("index").GetInt32()));

        List<JsonElement> unary = await pair.Dynamic.ServerStreamingAsync(DynamicMethod.Parse("Echo.say"), Json("""{"text":"u"}""")).CollectAsync();
        Assert.Equal("u!", Assert.Single(unary).GetProperty("text").GetString());
    }

    [Fact]
    public async Task ClientStream_SendsAll_ReturnsOne()
    {
        await using var pair = await Pair.StartAsync();
        JsonElement reply = await pair.Dynamic.ClientStreamingAsync(DynamicMethod.Parse("Echo.join"), Items("a", "b", "c")).DefaultTimeout();
        Assert.Equal("a+b+c", reply.GetProperty("text").GetString());
        Assert.Equal(3, reply.GetProperty("index").GetInt32());
    }

    [Fact]
    public async Task Bidi_EchoesEachRequest()
    {
        await using var pair = await Pair.StartAsync();
        List<JsonElement> replies = await pair.Dynamic.DuplexStreamingAsync(DynamicMethod.Parse("Echo.chat"), Items("p", "q")).CollectAsync();
        Assert.Equal(["p", "q"], replies.Select(r => r.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task CallAsync_PicksThePathFromWhetherItemsAreGiven()
    {
        await using var pair = await Pair.StartAsync();
        List<JsonElement> one = await pair.Dynamic.CallAsync(DynamicMethod.Parse("Echo.say"), Json("""{"text":"z"}"""), null).CollectAsync();
        Assert.Equal("z!", Assert.Single(one).GetProperty("text").GetString());
        List<JsonElement> joined = await pair.Dynamic.CallAsync(DynamicMethod.Parse("Echo.join"), default, Items("m", "n")).CollectAsync();
        Assert.Equal("m+n", Assert.Single(joined).GetProperty("text").GetString());
    }

    [Fact]
    public async Task UnknownMethod_IsUnimplemented_AndUnknownField_IsAContractViolation()
    {
        await using var pair = await Pair.StartAsync();
        RpcException missing = await Assert.ThrowsAsync<RpcException>(() => pair.Dynamic.UnaryAsync(DynamicMethod.Parse("Echo.nope"), Json("{}")).DefaultTimeout());
        Assert.Equal(StatusCode.Unimplemented, missing.StatusCode);

        RpcException bad = await Assert.ThrowsAsync<RpcException>(() => pair.Dynamic.UnaryAsync(DynamicMethod.Parse("Echo.say"), Json("""{"bogus":1}""")).DefaultTimeout());
        Assert.NotEqual(StatusCode.OK, bad.StatusCode);

        // The connection still serves calls afterwards.
        JsonElement ok = await pair.Dynamic.UnaryAsync(DynamicMethod.Parse("Echo.say"), Json("""{"text":"after"}""")).DefaultTimeout();
        Assert.Equal("after!", ok.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Xlang_ValueTree_RoundTripsThroughTheTypedServer()
    {
        await using var pair = await Pair.StartAsync();

        // The request tree is read from a typed message, so field types match what the server's TypeDef expects.
        ForyValue request = ForyDynamic.Read(Encode(new EchoRequest("tree", 2)));
        ForyValue reply = await pair.Dynamic.UnaryAsync(DynamicMethod.Parse("Echo.say"), request).DefaultTimeout();
        var reply0 = Assert.IsType<ForyStruct>(reply);
        Assert.Equal("dyn/EchoReply", reply0.Tag);
        Assert.Equal("tree!", Assert.IsType<ForyString>(reply0["text"]).Value);

        List<ForyValue> items = await pair.Dynamic.ServerStreamingAsync(DynamicMethod.Parse("Echo.repeat"), request).CollectAsync();
        Assert.Equal(2, items.Count);
    }

    [Fact]
    public async Task TypedCalls_OnTheSameClient_StillUseTheirCodecs()
    {
        await using var pair = await Pair.StartAsync();
        IEcho typed = ServiceProxy.Create<IEcho>(pair.Client);
        Assert.Equal("typed!", (await typed.SayAsync(new EchoRequest("typed")).DefaultTimeout()).Text);
    }

    [Fact]
    public void Parse_RejectsNamesWithoutAMethod()
    {
        Assert.Equal(new DynamicMethod("a.b.Svc", "m"), DynamicMethod.Parse("a.b.Svc.m"));
        Assert.Throws<FormatException>(() => DynamicMethod.Parse("NoDot"));
        Assert.Throws<FormatException>(() => DynamicMethod.Parse("Svc."));
        Assert.Throws<FormatException>(() => DynamicMethod.Parse(".m"));
    }

    [Fact]
    public void JsonCodec_AnyBytes_DecodeOrThrowJsonException()
    {
        IMessageCodec<JsonElement> codec = new DynamicCodecs(_codecs).GetCodec<JsonElement>(SerializationMode.Json);
        FsCheck.Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(5_000), FsCheck.Fluent.Prop.ForAll(FsCheck.Fluent.ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            try
            {
                JsonElement value = codec.Decode(new System.Buffers.ReadOnlySequence<byte>(bytes));
                var output = new System.Buffers.ArrayBufferWriter<byte>();
                codec.Encode(value, output);
                using JsonDocument again = JsonDocument.Parse(output.WrittenMemory);
                return JsonElement.DeepEquals(value, again.RootElement);
            }
            catch (JsonException)
            {
                return true;
            }
        }));
    }

    [Fact]
    public void Codecs_RejectAValueInTheWrongMode()
    {
        var codecs = new DynamicCodecs(_codecs);
        Assert.Throws<NotSupportedException>(() => codecs.GetCodec<JsonElement>(SerializationMode.Xlang));
        Assert.Throws<NotSupportedException>(() => codecs.GetCodec<ForyValue>(SerializationMode.Json));
        Assert.Throws<ArgumentException>(() => codecs.GetCodec<JsonElement>(SerializationMode.Json).Encode(default, new System.Buffers.ArrayBufferWriter<byte>()));
    }

    private static byte[] Encode(EchoRequest request)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        _codecs.GetCodec<EchoRequest>(SerializationMode.Xlang).Encode(request, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static JsonElement Json(string text)
    {
        using JsonDocument doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    private static async IAsyncEnumerable<JsonElement> Items(params string[] texts)
    {
        foreach (string text in texts)
        {
            await Task.Yield();
            yield return Json(JsonSerializer.Serialize(new Dictionary<string, string> { ["text"] = text }));
        }
    }

    private sealed record Pair(AsterServer Server, Task Serving, AsterClient Client, DynamicClient Dynamic) : IAsyncDisposable
    {
        public static Task<Pair> StartAsync()
        {
            var server = new AsterServer([ServiceBinder.FromInstance(new EchoService())], new AsterServerOptions { Codecs = _codecs });
            (IRpcConnection clientEnd, IRpcConnection serverEnd) = InMemoryTransport.CreatePair();
            Task serving = server.ServeConnectionAsync(serverEnd);
            var client = new AsterClient(clientEnd, new AsterClientOptions { Codecs = _codecs });
            return Task.FromResult(new Pair(server, serving, client, new DynamicClient(client)));
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Server.DisposeAsync();
            await Serving.DefaultTimeout();
        }
    }

    private sealed class EchoService : IEcho
    {
        public ValueTask<EchoReply> SayAsync(EchoRequest request, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(new EchoReply(request.Text + "!"));

        public async IAsyncEnumerable<EchoReply> RepeatAsync(EchoRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (int i = 0; i < request.Count; i++)
            {
                await Task.Yield();
                yield return new EchoReply(request.Text, i);
            }
        }

        public async ValueTask<EchoReply> JoinAsync(IAsyncEnumerable<EchoRequest> requests, CancellationToken cancellationToken = default)
        {
            var texts = new List<string>();
            await foreach (EchoRequest request in requests.WithCancellation(cancellationToken))
            {
                texts.Add(request.Text);
            }

            return new EchoReply(string.Join("+", texts), texts.Count);
        }

        public async IAsyncEnumerable<EchoReply> ChatAsync(IAsyncEnumerable<EchoRequest> requests, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            int i = 0;
            await foreach (EchoRequest request in requests.WithCancellation(cancellationToken))
            {
                yield return new EchoReply(request.Text, i++);
            }
        }
    }
}
