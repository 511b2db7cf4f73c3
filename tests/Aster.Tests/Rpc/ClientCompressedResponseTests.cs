using System.Buffers;
using System.Text;
using Aster.Client;
using Aster.Contracts;
using Aster.Framing;
using Aster.Protocol;
using Aster.Testing;
using Aster.Tests.Compression.Zstd;
using Aster.Transport;

namespace Aster.Tests.Rpc;

/// <summary>The client accepts COMPRESSED response frames (wire-protocol.md 4.5) from a scripted server.</summary>
public sealed class ClientCompressedResponseTests
{
    private static readonly ClientMethod<HelloRequest, HelloResponse> _sayHello = new("Hello", 1, "sayHello", MethodPattern.Unary);

    [Fact]
    public async Task CompressedResponse_IsDecompressed()
    {
        HelloResponse response = await CallAsync(ZstdTestFrames.Raw("{\"message\":\"squeezed\"}"u8.ToArray()));

        Assert.Equal("squeezed", response.Message);
    }

    [ZstdCliFact]
    public async Task RealZstdResponse_IsDecompressed()
    {
        string message = Encoding.ASCII.GetString(ZstdCorpus.Text(30_000, 8));
        byte[] compressed = ZstdCli.Compress(Encoding.UTF8.GetBytes($"{{\"message\":\"{message}\"}}"), ["-3"]);

        HelloResponse response = await CallAsync(compressed);

        Assert.Equal(message, response.Message);
    }

    [Fact]
    public async Task CompressedResponseNotZstd_IsProtocolError()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => CallAsync("{\"message\":\"plain\"}"u8.ToArray()));

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.StartsWith("protocol error: compressed payload:", ex.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompressedResponseOverLimit_IsResourceExhausted()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => CallAsync(ZstdTestFrames.Rle((byte)' ', 129)));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    /// <summary>One unary call against a server that answers with <paramref name="payload"/> as a COMPRESSED frame.</summary>
    private static async Task<HelloResponse> CallAsync(byte[] payload)
    {
        (IRpcConnection clientSide, IRpcConnection serverSide) = InMemoryTransport.CreatePair();
        await using (clientSide)
        await using (serverSide)
        {
            Task server = AnswerAsync(serverSide, payload);
            await using var client = new AsterClient(clientSide, new AsterClientOptions { Codecs = JsonTestCodecProvider.Instance, DefaultSerializationMode = SerializationMode.Json });
            try
            {
                return await client.UnaryAsync(_sayHello, new HelloRequest("x")).DefaultTimeout();
            }
            finally
            {
                await server.DefaultTimeout();
            }
        }
    }

    private static async Task AnswerAsync(IRpcConnection connection, byte[] payload)
    {
        IRpcStream stream = (await connection.AcceptStreamAsync().DefaultTimeout())!;
        await using (stream)
        {
            var reader = new FrameStreamReader(stream.Input, Frame.MaxLength);
            while (await reader.ReadAsync(CancellationToken.None).DefaultTimeout() is { } frame && (frame.Flags & FrameFlags.EndStream) == 0)
            {
            }

            reader.Release();
            var output = new ArrayBufferWriter<byte>();
            FrameWriter.Write(output, FrameFlags.Compressed, payload);
            FrameWriter.WriteEmpty(output, FrameFlags.Trailer);
            await stream.Output.WriteAsync(output.WrittenMemory);
            await stream.Output.CompleteAsync();
        }
    }
}
