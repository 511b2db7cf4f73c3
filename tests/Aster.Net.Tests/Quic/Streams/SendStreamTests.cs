using Aster.Net.Quic.Streams;
using Aster.Testing;

namespace Aster.Net.Tests.Quic.Streams;

public sealed class SendStreamTests
{
    [Fact]
    public void TryTakeNextChunk_PeerLimit_StopsAtMaxStreamDataAndReportsBlockedOnce()
    {
        var stream = new SendStream(peerMaxStreamData: 4_000);
        Assert.Equal(10_000, stream.TryWrite(new byte[10_000]));

        List<StreamChunk> chunks = Drain(stream, 1_200);
        Assert.Equal([0L, 1_200, 2_400, 3_600], chunks.Select(c => c.Offset));
        Assert.Equal(400, chunks[^1].Length);
        Assert.True(stream.IsFlowControlBlocked);
        Assert.True(stream.TryTakeStreamDataBlocked(out long limit));
        Assert.Equal(4_000, limit);
        Assert.False(stream.TryTakeStreamDataBlocked(out _));

        Assert.True(stream.OnMaxStreamData(8_000));
        Assert.False(stream.OnMaxStreamData(6_000));
        Assert.Equal(4_000, Drain(stream, 10_000).Sum(c => c.Length));
        Assert.True(stream.TryTakeStreamDataBlocked(out limit));
        Assert.Equal(8_000, limit);
    }

    [Fact]
    public void TryTakeNextChunk_ConnectionCredit_LimitsOnlyNewData()
    {
        var stream = new SendStream(100_000);
        stream.TryWrite(new byte[5_000]);
        Assert.True(stream.TryTakeNextChunk(1_200, 1_000, out StreamChunk first));
        Assert.Equal(new StreamChunk(0, 1_000, false, false), first);
        Assert.False(stream.TryTakeNextChunk(1_200, 0, out _));

        stream.OnLost(0, 1_000, false);
        Assert.True(stream.TryTakeNextChunk(1_200, 0, out StreamChunk retransmit));
        Assert.Equal(new StreamChunk(0, 1_000, false, true), retransmit);
    }

    [Fact]
    public void OnLost_LostRangeResentBeforeNewDataSkippingAckedParts()
    {
        var stream = new SendStream(100_000);
        stream.TryWrite(new byte[5_000]);
        Drain(stream, 1_000, limit: 3);
        stream.OnAcked(1_000, 500, false);
        stream.OnLost(0, 2_000, false);
        stream.OnLost(2_000, 1_000, false);

        Assert.True(stream.TryTakeNextChunk(10_000, long.MaxValue, out StreamChunk a));
        Assert.Equal(new StreamChunk(0, 1_000, false, true), a);
        Assert.True(stream.TryTakeNextChunk(10_000, long.MaxValue, out StreamChunk b));
        Assert.Equal(new StreamChunk(1_500, 1_500, false, true), b);
        Assert.True(stream.TryTakeNextChunk(10_000, long.MaxValue, out StreamChunk c));
        Assert.Equal(new StreamChunk(3_000, 2_000, false, false), c);
    }

    [Fact]
    public void CompleteWrites_FinGoesWithLastBytesThenStateAdvances()
    {
        var stream = new SendStream(100_000);
        Assert.Equal(SendStreamState.Ready, stream.State);
        stream.TryWrite(new byte[2_000]);
        stream.CompleteWrites();

        Assert.True(stream.TryTakeNextChunk(1_200, long.MaxValue, out StreamChunk a));
        Assert.False(a.Fin);
        Assert.Equal(SendStreamState.Send, stream.State);
        Assert.True(stream.TryTakeNextChunk(1_200, long.MaxValue, out StreamChunk b));
        Assert.Equal(new StreamChunk(1_200, 800, true, false), b);
        Assert.Equal(SendStreamState.DataSent, stream.State);
        Assert.False(stream.HasDataToSend);

        stream.OnAcked(1_200, 800, true);
        Assert.Equal(SendStreamState.DataSent, stream.State);
        stream.OnAcked(0, 1_200, false);
        Assert.Equal(SendStreamState.DataRecvd, stream.State);
        Assert.Equal(0, stream.BufferedBytes);
    }

    [Fact]
    public void OnAcked_AllDataAndFin_ReturnsEverySegmentToThePool()
    {
        var stream = new SendStream(100_000);
        stream.TryWrite(new byte[64]);
        stream.CompleteWrites();
        Assert.Equal(1, stream.HeldSegments);
        Assert.True(stream.TryTakeNextChunk(1_200, long.MaxValue, out StreamChunk chunk));
        Assert.Equal(new StreamChunk(0, 64, true, false), chunk);

        stream.OnAcked(0, 64, false);
        Assert.Equal(1, stream.HeldSegments); // the FIN is not acknowledged yet: the segment stays
        stream.OnAcked(64, 0, true);

        Assert.Equal(SendStreamState.DataRecvd, stream.State);
        Assert.Equal(0, stream.HeldSegments);
        Assert.Equal(0, stream.BufferedBytes);
    }

    [Fact]
    public void CompleteWrites_AfterEverythingSent_FinSentAlone()
    {
        var stream = new SendStream(100_000);
        stream.TryWrite(new byte[100]);
        Drain(stream, 1_200);
        stream.CompleteWrites();
        Assert.True(stream.TryTakeNextChunk(1_200, 0, out StreamChunk fin));
        Assert.Equal(new StreamChunk(100, 0, true, false), fin);
    }

    [Fact]
    public void OnLost_FinOnly_ResendsFinAlone()
    {
        var stream = new SendStream(100_000);
        stream.TryWrite(new byte[100]);
        stream.CompleteWrites();
        Assert.True(stream.TryTakeNextChunk(1_200, long.MaxValue, out StreamChunk c));
        Assert.True(c.Fin);
        stream.OnAcked(0, 50, false);
        stream.OnLost(50, 50, true);
        Assert.True(stream.TryTakeNextChunk(1_200, long.MaxValue, out StreamChunk again));
        Assert.Equal(new StreamChunk(50, 50, true, true), again);
        Assert.False(stream.HasDataToSend);
    }

    [Fact]
    public void CopyTo_AcrossSegments_ReturnsWrittenBytes()
    {
        var stream = new SendStream(1 << 20);
        byte[] data = new byte[50_000];
        new Random(1).NextBytes(data);
        stream.TryWrite(data.AsSpan(0, 20_000));
        stream.TryWrite(data.AsSpan(20_000));
        byte[] copy = new byte[30_000];
        stream.CopyTo(10_000, copy);
        Assert.Equal(data.AsSpan(10_000, 30_000).ToArray(), copy);

        stream.OnAcked(0, 40_000, false);
        Assert.Equal(10_000, stream.BufferedBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.CopyTo(39_999, new byte[2]));
        byte[] tail = new byte[10_000];
        stream.CopyTo(40_000, tail);
        Assert.Equal(data.AsSpan(40_000).ToArray(), tail);
    }

    [Fact]
    public void OnAcked_OutOfOrder_FreesOnlyContiguousPrefix()
    {
        var stream = new SendStream(100_000);
        stream.TryWrite(new byte[3_000]);
        stream.OnAcked(1_000, 1_000, false);
        Assert.Equal(3_000, stream.BufferedBytes);
        stream.OnAcked(0, 1_000, false);
        Assert.Equal(1_000, stream.BufferedBytes);
    }

    [Fact]
    public async Task WriteAsync_AtHighWaterMark_WaitsUntilLowWaterMark()
    {
        var stream = new SendStream(100_000, highWaterMark: 1_000);
        Task write = stream.WriteAsync(new byte[1_500]).AsTask();
        Assert.False(write.IsCompleted);
        Assert.Equal(1_000, stream.BufferedBytes);

        stream.OnAcked(0, 400, false);
        await Task.Yield();
        Assert.False(write.IsCompleted);

        stream.OnAcked(400, 100, false);
        await write.DefaultTimeout();
        Assert.Equal(1_000, stream.BufferedBytes);
        Assert.Equal(1_500, stream.WrittenBytes);
    }

    [Fact]
    public async Task WriteAsync_SecondConcurrentWrite_Throws()
    {
        var stream = new SendStream(100_000, highWaterMark: 10);
        ValueTask first = stream.WriteAsync(new byte[20]);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await stream.WriteAsync(new byte[1]));
        stream.OnAcked(0, 20, false);
        await first.DefaultTimeout();
    }

    [Fact]
    public async Task WriteAsync_Cancelled_ThrowsAndStreamStaysUsable()
    {
        var stream = new SendStream(100_000, highWaterMark: 10);
        using var cts = new CancellationTokenSource();
        Task write = stream.WriteAsync(new byte[20], false, cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write.DefaultTimeout());
        Assert.Equal(10, stream.TryWrite(new byte[20]) + 10);
    }

    [Fact]
    public async Task Reset_ParkedWriter_FailsWithErrorCode()
    {
        var stream = new SendStream(100_000, highWaterMark: 10);
        Task write = stream.WriteAsync(new byte[20]).AsTask();
        Assert.True(stream.TryTakeNextChunk(4, long.MaxValue, out _));
        Assert.True(stream.Reset(42, out long finalSize));
        Assert.Equal(4, finalSize);
        QuicStreamAbortedException ex = await Assert.ThrowsAsync<QuicStreamAbortedException>(() => write.DefaultTimeout());
        Assert.Equal(42, ex.ApplicationErrorCode);
        Assert.Equal(SendStreamState.ResetSent, stream.State);
        Assert.False(stream.Reset(42, out _));
        Assert.False(stream.HasDataToSend);
        stream.OnResetAcked();
        Assert.Equal(SendStreamState.ResetRecvd, stream.State);
    }

    [Fact]
    public void TryWrite_AfterCompleteWrites_Throws()
    {
        var stream = new SendStream(100);
        stream.CompleteWrites();
        Assert.Throws<InvalidOperationException>(() => stream.TryWrite(new byte[1]));
    }

    [Fact]
    public void SendAndReceive_LossyReorderingChannel_DeliversExactBytes()
    {
        for (int round = 0; round < 30; round++)
        {
            int seed = unchecked(Environment.TickCount + (round * 7919));
            var random = new Random(seed);
            byte[] data = new byte[random.Next(0, 60_000)];
            random.NextBytes(data);

            var connection = new ConnectionReceiveFlowControl(1 << 30);
            var sender = new SendStream(peerMaxStreamData: 8_000, highWaterMark: 1 << 20);
            var receiver = new ReceiveStream(window: 8_000, connection);
            sender.TryWrite(data);
            sender.CompleteWrites();

            var inFlight = new List<(StreamChunk Chunk, byte[] Bytes)>();
            var output = new List<byte>();
            byte[] readBuffer = new byte[3_000];
            for (int step = 0; step < 100_000 && sender.State != SendStreamState.DataRecvd; step++)
            {
                if (random.Next(3) > 0 && sender.TryTakeNextChunk(random.Next(1, 1_500), long.MaxValue, out StreamChunk chunk))
                {
                    Assert.True(chunk.Offset + chunk.Length <= sender.MaxStreamData, $"seed {seed}: beyond MAX_STREAM_DATA");
                    byte[] bytes = new byte[chunk.Length];
                    sender.CopyTo(chunk.Offset, bytes);
                    inFlight.Add((chunk, bytes));
                }

                if (inFlight.Count > 0 && random.Next(2) == 0)
                {
                    int i = random.Next(inFlight.Count);
                    (StreamChunk c, byte[] b) = inFlight[i];
                    inFlight.RemoveAt(i);
                    int fate = random.Next(10);
                    if (fate < 2)
                    {
                        sender.OnLost(c.Offset, c.Length, c.Fin);
                    }
                    else
                    {
                        receiver.OnStreamFrame(c.Offset, b, c.Fin);
                        if (fate == 2)
                        {
                            receiver.OnStreamFrame(c.Offset, b, c.Fin);
                        }

                        sender.OnAcked(c.Offset, c.Length, c.Fin);
                    }
                }

                int n = receiver.Read(readBuffer.AsSpan(0, random.Next(1, readBuffer.Length)));
                output.AddRange(readBuffer.AsSpan(0, n));
                if (receiver.TryTakeMaxStreamDataUpdate(out long max))
                {
                    sender.OnMaxStreamData(max);
                }
            }

            int last;
            while ((last = receiver.Read(readBuffer)) > 0)
            {
                output.AddRange(readBuffer.AsSpan(0, last));
            }

            Assert.True(sender.State == SendStreamState.DataRecvd, $"seed {seed}: sender did not finish");
            Assert.True(receiver.IsCompleted, $"seed {seed}: receiver did not finish");
            Assert.True(data.AsSpan().SequenceEqual(output.ToArray()), $"seed {seed}: bytes differ");
            Assert.Equal(data.Length, connection.Consumed);
            Assert.True(sender.IsFinished);
            Assert.True(receiver.IsFinished || receiver.Read(readBuffer) == 0);
        }
    }

    [Fact]
    public async Task WriteAsync_ConcurrentSenderThread_BackpressureHoldsAndBytesArriveIntact()
    {
        var stream = new SendStream(long.MaxValue / 2, highWaterMark: 64 * 1024);
        byte[] data = new byte[2 * 1024 * 1024];
        new Random(11).NextBytes(data);
        Task writer = Task.Run(async () =>
        {
            for (int offset = 0; offset < data.Length; offset += 8_192)
            {
                await stream.WriteAsync(data.AsMemory(offset, 8_192));
            }

            stream.CompleteWrites();
        });

        byte[] output = new byte[data.Length];
        long maxBuffered = 0;
        Task sender = Task.Run(async () =>
        {
            while (stream.State != SendStreamState.DataRecvd)
            {
                maxBuffered = Math.Max(maxBuffered, stream.BufferedBytes);
                if (stream.TryTakeNextChunk(1_200, long.MaxValue, out StreamChunk chunk))
                {
                    stream.CopyTo(chunk.Offset, output.AsSpan((int)chunk.Offset, chunk.Length));
                    stream.OnAcked(chunk.Offset, chunk.Length, chunk.Fin);
                }
                else
                {
                    await Task.Yield();
                }
            }
        });

        await Task.WhenAll(writer, sender).DefaultTimeout();
        Assert.Equal(data, output);
        Assert.InRange(maxBuffered, 1, 64 * 1024);
    }

    private static List<StreamChunk> Drain(SendStream stream, int maxLength, int limit = int.MaxValue)
    {
        var chunks = new List<StreamChunk>();
        while (chunks.Count < limit && stream.TryTakeNextChunk(maxLength, long.MaxValue, out StreamChunk c))
        {
            chunks.Add(c);
        }

        return chunks;
    }
}
