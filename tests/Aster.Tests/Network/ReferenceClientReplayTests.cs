using System.Buffers;
using System.Text;
using System.Text.Json;
using Aster.Client;
using Aster.Codec;
using Aster.Framing;
using Aster.Net.Quic;
using Aster.Testing;
using Aster.Tests.Contracts.Samples;
using Aster.Transport;

namespace Aster.Tests.Network;

/// <summary>
/// Our client against a stand-in for the reference TypeScript 0.1.2 server over real QUIC: the stand-in answers
/// admission with the recorded response (which advertises <c>["json"]</c>, so the client picks JSON by rule 4 of
/// wire-protocol.md 16.2) and each call with the recorded response frames. The client must send the request payload
/// the reference client sent and decode the reference server's answer.
/// </summary>
[Collection(NetworkTestGroup.Name)]
public sealed class ReferenceClientReplayTests
{
    [VectorFact]
    public async Task SayHello_SendsTheReferencePayload_AndReadsTheReferenceAnswer()
    {
        (List<byte[]> requests, List<(byte Flags, byte[] Payload)> responses) = LoadCall("unary-json.json", "unary.hello.sayHello");
        await using Standin standin = await Standin.StartAsync(responses);
        await using AsterClient client = await AsterClient.ConnectAsync(standin.Address, new AsterClientOptions { Codecs = new ForyCodecProvider() }).TimeoutAfter(RawPeer.Limit);

        HelloResponse reply = await ServiceProxy.Create<IHello>(client).SayHelloAsync(new HelloRequest("TypeScript")).AsTask().TimeoutAfter(RawPeer.Limit);

        Assert.Equal("Hello, TypeScript!", reply.Message);
        (byte[] header, byte[] data) = await standin.Received.Task.TimeoutAfter(RawPeer.Limit);
        using JsonDocument sent = JsonDocument.Parse(header);
        Assert.Equal("Hello", sent.RootElement.GetProperty("service").GetString());
        Assert.Equal("sayHello", sent.RootElement.GetProperty("method").GetString());
        Assert.Equal(3, sent.RootElement.GetProperty("serializationMode").GetInt32());
        Assert.Equal(Encoding.UTF8.GetString(requests[1]), Encoding.UTF8.GetString(data));
    }

    [VectorFact]
    public async Task Countdown_SendsTheReferencePayload_AndReadsEveryReferenceItem()
    {
        (List<byte[]> requests, List<(byte Flags, byte[] Payload)> responses) = LoadCall("server-stream-json.json", "server-stream.hello.countdown");
        await using Standin standin = await Standin.StartAsync(responses);
        await using AsterClient client = await AsterClient.ConnectAsync(standin.Address, new AsterClientOptions { Codecs = new ForyCodecProvider() }).TimeoutAfter(RawPeer.Limit);

        List<HelloResponse> items = await ServiceProxy.Create<IHello>(client).CountdownAsync(new HelloRequest("TypeScript")).CollectAsync(RawPeer.Limit);

        Assert.Equal(["TypeScript: 3...", "TypeScript: 2...", "TypeScript: 1...", "TypeScript: Go!"], items.Select(i => i.Message));
        (_, byte[] data) = await standin.Received.Task.TimeoutAfter(RawPeer.Limit);
        Assert.Equal(Encoding.UTF8.GetString(requests[1]), Encoding.UTF8.GetString(data));
    }

    private static (List<byte[]> Requests, List<(byte Flags, byte[] Payload)> Responses) LoadCall(string file, string id)
    {
        using JsonDocument doc = Vectors.Load("wire", file);
        JsonElement exchange = doc.RootElement.GetProperty("exchanges").EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);
        var requests = new List<byte[]>();
        var responses = new List<(byte, byte[])>();
        foreach (JsonElement frame in exchange.GetProperty("frames").EnumerateArray())
        {
            byte[] bytes = Hex.Decode(frame.GetProperty("hex").GetString()!);
            if (frame.GetProperty("dir").GetString() == "c2s")
            {
                requests.Add(bytes[5..]);
            }
            else
            {
                responses.Add((bytes[4], bytes[5..]));
            }
        }

        return (requests, responses);
    }

    /// <summary>A QUIC endpoint that answers admission and one call with recorded bytes.</summary>
    private sealed class Standin : IAsyncDisposable
    {
        private readonly RawPeer _peer;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<AsterConnection> _held = [];
        private Task _serving = Task.CompletedTask;

        private Standin(RawPeer peer)
        {
            _peer = peer;
        }

        public string Address => _peer.Endpoint.Address.ToString();

        /// <summary>The HEADER and first DATA payloads of the call the client made.</summary>
        public TaskCompletionSource<(byte[] Header, byte[] Data)> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static async Task<Standin> StartAsync(List<(byte Flags, byte[] Payload)> responses)
        {
            var standin = new Standin(await RawPeer.StartAsync(AsterAlpns.ConsumerAdmission, AsterAlpns.Rpc));
            standin._serving = standin.ServeAsync(responses);
            return standin;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _serving.TimeoutAfter(RawPeer.Limit);
            foreach (AsterConnection connection in _held)
            {
                await connection.DisposeAsync();
            }

            await _peer.DisposeAsync();
            _stop.Dispose();
        }

        private async Task ServeAsync(List<(byte Flags, byte[] Payload)> responses)
        {
            try
            {
                while (true)
                {
                    AsterConnection connection = await _peer.Endpoint.AcceptAsync(_stop.Token);
                    _held.Add(connection);
                    if (connection.Alpn == AsterAlpns.ConsumerAdmission)
                    {
                        await using AsterStream admission = await connection.AcceptBidirectionalStreamAsync(_stop.Token);
                        await RawPeer.ReadToEndAsync(admission);
                        await admission.WriteAsync(RecordedAdmission(), completeWrites: true, _stop.Token);
                    }
                    else
                    {
                        _ = AnswerCallAsync(new QuicRpcConnection(connection), responses);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task AnswerCallAsync(QuicRpcConnection connection, List<(byte Flags, byte[] Payload)> responses)
        {
            IRpcStream? stream = await connection.AcceptStreamAsync(_stop.Token);
            if (stream is null)
            {
                return;
            }

            var reader = new FrameStreamReader(stream.Input, Frame.MaxLength);
            Frame header = (await reader.ReadAsync(_stop.Token))!.Value;
            byte[] headerBytes = header.Payload.ToArray();
            reader.Release();
            Frame data = (await reader.ReadAsync(_stop.Token))!.Value;
            Received.TrySetResult((headerBytes, data.Payload.ToArray()));
            reader.Release();
            foreach ((byte flags, byte[] payload) in responses)
            {
                FrameWriter.Write(stream.Output, (FrameFlags)flags, payload, Frame.MaxLength);
            }

            await stream.Output.FlushAsync(_stop.Token);
        }

        /// <summary>
        /// The recorded 0.1.2 admission response, with its <c>channels.rpc</c> (base64 of the reference server's hex
        /// id) pointed at this stand-in's id in the same form, so the client dials the stand-in.
        /// </summary>
        private byte[] RecordedAdmission()
        {
            using JsonDocument doc = Vectors.Load("wire", "admission.json");
            JsonElement exchange = doc.RootElement.GetProperty("exchanges").EnumerateArray().Single(e => e.GetProperty("id").GetString() == "admission.hello.v012");
            string text = exchange.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("dir").GetString() == "s2c").GetProperty("text").GetString()!;
            string recordedRpc = Convert.ToBase64String(Encoding.UTF8.GetBytes("45cf1271267f916f8df39bada907922d26600d292f3af0ede5d8ec881f1430db"));
            Assert.Contains(recordedRpc, text, StringComparison.Ordinal);
            return Encoding.UTF8.GetBytes(text.Replace(recordedRpc, Convert.ToBase64String(Encoding.UTF8.GetBytes(_peer.Endpoint.Id.ToString())), StringComparison.Ordinal));
        }
    }
}
