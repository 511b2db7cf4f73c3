using Aster.Net.Quic;
using Aster.Net.Quic.Streams;
using Aster.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Net.Tests.Quic.Streams;

public sealed class ReceiveStreamTests
{
    [Fact]
    public void OnStreamFrame_OutOfOrderAndOverlapping_ReadsInOrder()
    {
        var stream = new ReceiveStream(1_000);
        byte[] data = Enumerable.Range(0, 20).Select(i => (byte)i).ToArray();
        stream.OnStreamFrame(10, data.AsSpan(10, 5), false);
        stream.OnStreamFrame(5, data.AsSpan(5, 10), false);
        Assert.Equal(0, stream.Read(new byte[100]));
        stream.OnStreamFrame(0, data.AsSpan(0, 8), false);
        stream.OnStreamFrame(3, data.AsSpan(3, 17), true);

        byte[] output = new byte[100];
        Assert.Equal(20, stream.Read(output));
        Assert.Equal(data, output.AsSpan(0, 20).ToArray());
        Assert.True(stream.IsCompleted);
        Assert.Equal(ReceiveStreamState.DataRead, stream.State);
    }

    [Fact]
    public void OnStreamFrame_Duplicate_NotCountedTwice()
    {
        var connection = new ConnectionReceiveFlowControl(10_000);
        var stream = new ReceiveStream(1_000, connection);
        Assert.Equal(100, stream.OnStreamFrame(0, new byte[100], false));
        Assert.Equal(0, stream.OnStreamFrame(0, new byte[100], false));
        Assert.Equal(50, stream.OnStreamFrame(120, new byte[30], false));
        Assert.Equal(150, connection.Received);
        Assert.Equal(130, stream.BufferedBytes);
    }

    [Fact]
    public void OnStreamFrame_BeyondMaxStreamData_ThrowsFlowControlError()
    {
        var stream = new ReceiveStream(1_000);
        stream.OnStreamFrame(0, new byte[1_000], false);
        QuicStreamStateException ex = Assert.Throws<QuicStreamStateException>(() => stream.OnStreamFrame(1_000, new byte[1], false));
        Assert.Equal(QuicTransportError.FlowControlError, ex.ErrorCode);
    }

    [Fact]
    public void OnStreamFrame_BeyondConnectionMaxData_ThrowsFlowControlError()
    {
        var connection = new ConnectionReceiveFlowControl(1_000);
        var a = new ReceiveStream(1_000, connection);
        var b = new ReceiveStream(1_000, connection);
        a.OnStreamFrame(0, new byte[600], false);
        QuicStreamStateException ex = Assert.Throws<QuicStreamStateException>(() => b.OnStreamFrame(0, new byte[401], false));
        Assert.Equal(QuicTransportError.FlowControlError, ex.ErrorCode);
        b.OnStreamFrame(0, new byte[400], false);
        Assert.Equal(1_000, connection.Received);
    }

    [Theory]
    [InlineData(100, 10, true, 90, 10, true)]
    [InlineData(100, 10, true, 110, 1, false)]
    [InlineData(100, 10, true, 0, 120, false)]
    [InlineData(0, 50, false, 0, 20, true)]
    public void OnStreamFrame_FinalSizeViolations_ThrowFinalSizeError(long o1, int l1, bool f1, long o2, int l2, bool f2)
    {
        var stream = new ReceiveStream(10_000);
        stream.OnStreamFrame(o1, new byte[l1], f1);
        QuicStreamStateException ex = Assert.Throws<QuicStreamStateException>(() => stream.OnStreamFrame(o2, new byte[l2], f2));
        Assert.Equal(QuicTransportError.FinalSizeError, ex.ErrorCode);
    }

    [Fact]
    public void OnStreamFrame_SameFinTwice_Accepted()
    {
        var stream = new ReceiveStream(10_000);
        stream.OnStreamFrame(0, new byte[10], true);
        stream.OnStreamFrame(5, new byte[5], true);
        Assert.Equal(ReceiveStreamState.DataRecvd, stream.State);
    }

    [Fact]
    public void TryTakeMaxStreamDataUpdate_AfterHalfWindowConsumed_RaisesLimit()
    {
        var connection = new ConnectionReceiveFlowControl(100_000);
        var stream = new ReceiveStream(1_000, connection);
        stream.OnStreamFrame(0, new byte[1_000], false);
        stream.Read(new byte[499]);
        Assert.False(stream.TryTakeMaxStreamDataUpdate(out _));
        stream.Read(new byte[1]);
        Assert.True(stream.TryTakeMaxStreamDataUpdate(out long max));
        Assert.Equal(1_500, max);
        Assert.False(stream.TryTakeMaxStreamDataUpdate(out _));
        Assert.Equal(500, connection.Consumed);

        stream.OnStreamFrame(1_000, new byte[500], false);
        stream.Read(new byte[500]);
        Assert.True(stream.TryTakeMaxStreamDataUpdate(out max));
        Assert.Equal(2_000, max);
    }

    [Fact]
    public void TryTakeMaxStreamDataUpdate_FinalSizeKnown_NoUpdate()
    {
        var stream = new ReceiveStream(1_000);
        stream.OnStreamFrame(0, new byte[800], true);
        stream.Read(new byte[800]);
        Assert.False(stream.TryTakeMaxStreamDataUpdate(out _));
    }

    [Fact]
    public void TryPeek_ReturnsStoredBytesUntilAdvance()
    {
        var stream = new ReceiveStream(1_000);
        stream.OnStreamFrame(0, [1, 2, 3, 4], false);
        Assert.True(stream.TryPeek(out ReadOnlyMemory<byte> data));
        Assert.Equal([1, 2, 3, 4], data.ToArray());
        stream.Advance(3);
        Assert.True(stream.TryPeek(out data));
        Assert.Equal([4], data.ToArray());
        stream.Advance(1);
        Assert.False(stream.TryPeek(out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.Advance(1));
    }

    [Fact]
    public async Task ReadAsync_WaitsForDataThenReturnsZeroAtFin()
    {
        var stream = new ReceiveStream(1_000);
        byte[] buffer = new byte[10];
        Task<int> read = stream.ReadAsync(buffer).AsTask();
        Assert.False(read.IsCompleted);
        stream.OnStreamFrame(0, [7, 8], false);
        Assert.Equal(2, await read.DefaultTimeout());

        Task<int> end = stream.ReadAsync(buffer).AsTask();
        stream.OnStreamFrame(2, [], true);
        Assert.Equal(0, await end.DefaultTimeout());
        Assert.Equal(ReceiveStreamState.DataRead, stream.State);
    }

    [Fact]
    public async Task OnResetStream_ParkedReader_FailsAndCreditReturned()
    {
        var connection = new ConnectionReceiveFlowControl(10_000);
        var stream = new ReceiveStream(1_000, connection);
        stream.OnStreamFrame(0, new byte[100], false);
        stream.Read(new byte[100]);
        Task<int> read = stream.ReadAsync(new byte[10]).AsTask();

        Assert.Equal(200, stream.OnResetStream(300, 77));

        QuicStreamAbortedException ex = await Assert.ThrowsAsync<QuicStreamAbortedException>(() => read.DefaultTimeout());
        Assert.Equal(77, ex.ApplicationErrorCode);
        Assert.Equal(300, connection.Received);
        Assert.Equal(300, connection.Consumed);
        Assert.Throws<QuicStreamAbortedException>(() => stream.Read(new byte[1]));
        Assert.Equal(ReceiveStreamState.ResetRead, stream.State);
        Assert.False(stream.IsCompleted);
        Assert.True(stream.IsFinished);
    }

    [Fact]
    public void OnResetStream_FinalSizeBelowReceived_ThrowsFinalSizeError()
    {
        var stream = new ReceiveStream(1_000);
        stream.OnStreamFrame(0, new byte[100], false);
        QuicStreamStateException ex = Assert.Throws<QuicStreamStateException>(() => stream.OnResetStream(50, 1));
        Assert.Equal(QuicTransportError.FinalSizeError, ex.ErrorCode);
    }

    [Fact]
    public void OnResetStream_BeyondWindow_ThrowsFlowControlError()
    {
        var stream = new ReceiveStream(1_000);
        QuicStreamStateException ex = Assert.Throws<QuicStreamStateException>(() => stream.OnResetStream(1_001, 1));
        Assert.Equal(QuicTransportError.FlowControlError, ex.ErrorCode);
    }

    [Fact]
    public void AbortRead_DiscardsAndReturnsConnectionCredit()
    {
        var connection = new ConnectionReceiveFlowControl(10_000);
        var stream = new ReceiveStream(1_000, connection);
        stream.OnStreamFrame(0, new byte[300], false);
        stream.AbortRead();
        Assert.Equal(300, connection.Consumed);
        stream.OnStreamFrame(300, new byte[100], false);
        Assert.Equal(400, connection.Consumed);
        Assert.Equal(0, stream.BufferedBytes);
        Assert.Throws<QuicStreamAbortedException>(() => stream.Read(new byte[1]));
    }

    [Fact]
    public void Read_ManyBufferedChunksWithLateGapFill_ReadsInOrderAcrossCompaction()
    {
        var stream = new ReceiveStream(100_000);
        byte[] data = new byte[20_000];
        new Random(3).NextBytes(data);
        for (int offset = 0; offset < 10_000; offset += 50)
        {
            stream.OnStreamFrame(offset, data.AsSpan(offset, 50), false);
        }

        for (int offset = 12_000; offset < 20_000; offset += 100)
        {
            stream.OnStreamFrame(offset, data.AsSpan(offset, 100), offset + 100 == 20_000);
        }

        byte[] output = new byte[20_000];
        int read = 0;
        for (int i = 0; i < 150; i++)
        {
            read += stream.Read(output.AsSpan(read, 50));
        }

        stream.OnStreamFrame(10_000, data.AsSpan(10_000, 2_000), false);
        Assert.Equal(20_000 - read, stream.BufferedBytes);
        int n;
        while ((n = stream.Read(output.AsSpan(read, Math.Min(77, 20_000 - read)))) > 0)
        {
            read += n;
        }

        Assert.Equal(20_000, read);
        Assert.Equal(data, output);
        Assert.True(stream.IsCompleted);
        Assert.Equal(0, stream.BufferedBytes);
    }

    [Fact]
    public void Reassembly_AnyPermutationDuplicationOverlap_YieldsOriginalBytes()
    {
        Config config = Config.QuickThrowOnFailure.WithMaxTest(300);
        Check.One(config, Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), ArbMap.Default.ArbFor<int>(), (data, seed) =>
        {
            var random = new Random(seed);
            var frames = new List<(int Offset, int Length)>();
            int offset = 0;
            while (offset < data.Length)
            {
                int length = random.Next(1, Math.Max(2, data.Length / 3));
                length = Math.Min(length, data.Length - offset);
                frames.Add((offset, length));
                offset += length;
            }

            // Duplicates and overlapping frames at random positions.
            int extra = random.Next(0, 6);
            for (int i = 0; i < extra && data.Length > 0; i++)
            {
                int start = random.Next(0, data.Length);
                frames.Add((start, random.Next(0, data.Length - start + 1)));
                if (frames.Count > 0)
                {
                    frames.Add(frames[random.Next(frames.Count)]);
                }
            }

            frames.Add((data.Length, 0));
            var shuffled = frames.OrderBy(_ => random.Next()).ToList();
            var stream = new ReceiveStream(Math.Max(1, data.Length));
            foreach ((int o, int l) in shuffled)
            {
                stream.OnStreamFrame(o, data.AsSpan(o, l), o + l == data.Length);
            }

            byte[] output = new byte[data.Length + 1];
            int read = 0;
            int n;
            while ((n = stream.Read(output.AsSpan(read))) > 0)
            {
                read += n;
            }

            return read == data.Length && output.AsSpan(0, read).SequenceEqual(data) && stream.IsCompleted && stream.BufferedBytes == 0;
        }));
    }

    [Fact]
    public void OnStreamFrame_RandomFrames_BufferedBytesNeverExceedAdvertisedWindow()
    {
        Config config = Config.QuickThrowOnFailure.WithMaxTest(200);
        Check.One(config, Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var random = new Random(seed);
            const int Window = 2_000;
            var stream = new ReceiveStream(Window);
            byte[] payload = new byte[1_000];
            for (int i = 0; i < 200; i++)
            {
                long limit = stream.MaxStreamData;
                long offset = stream.ReadOffset + random.Next(0, Window + 500);
                int length = random.Next(0, 400);
                bool expectError = offset + length > limit;
                try
                {
                    stream.OnStreamFrame(offset, payload.AsSpan(0, length), false);
                    if (expectError)
                    {
                        return false;
                    }
                }
                catch (QuicStreamStateException ex) when (ex.ErrorCode == QuicTransportError.FlowControlError)
                {
                    if (!expectError)
                    {
                        return false;
                    }
                }

                if (stream.BufferedBytes > stream.MaxStreamData - stream.ReadOffset || stream.HighestReceived > stream.MaxStreamData)
                {
                    return false;
                }

                stream.Read(new byte[random.Next(0, 600)]);
                stream.TryTakeMaxStreamDataUpdate(out _);
            }

            return true;
        }));
    }
}
