using Aster.Net.Quic;
using Aster.Net.Quic.Streams;

namespace Aster.Net.Tests.Quic.Streams;

public sealed class FlowControlAndLimitsTests
{
    [Fact]
    public void ConnectionReceive_OverMaxData_ThrowsAndHalfWindowConsumedRaises()
    {
        var fc = new ConnectionReceiveFlowControl(1_000);
        fc.OnReceived(1_000);
        QuicStreamStateException ex = Assert.Throws<QuicStreamStateException>(() => fc.OnReceived(1));
        Assert.Equal(QuicTransportError.FlowControlError, ex.ErrorCode);

        fc.OnConsumed(499);
        Assert.False(fc.TryTakeMaxDataUpdate(out _));
        fc.OnConsumed(1);
        Assert.True(fc.ShouldSendMaxData);
        Assert.True(fc.TryTakeMaxDataUpdate(out long max));
        Assert.Equal(1_500, max);
        Assert.Equal(1_500, fc.MaxData);
        fc.OnReceived(500);
    }

    [Fact]
    public void ConnectionSend_CreditAndDataBlockedOncePerLimit()
    {
        var fc = new ConnectionSendFlowControl(1_000);
        Assert.False(fc.TryTakeDataBlocked(out _));
        fc.OnSent(1_000);
        Assert.Throws<InvalidOperationException>(() => fc.OnSent(1));
        Assert.True(fc.TryTakeDataBlocked(out long limit));
        Assert.Equal(1_000, limit);
        Assert.False(fc.TryTakeDataBlocked(out _));
        Assert.False(fc.OnMaxData(900));
        Assert.True(fc.OnMaxData(2_000));
        Assert.Equal(1_000, fc.Available);
        fc.OnSent(1_000);
        Assert.True(fc.TryTakeDataBlocked(out limit));
        Assert.Equal(2_000, limit);
    }

    [Theory]
    [InlineData(true, true, 0L)]
    [InlineData(false, true, 1L)]
    [InlineData(true, false, 2L)]
    [InlineData(false, false, 3L)]
    public void LocalStreamLimit_AllocatesIdsOfItsType(bool isClient, bool bidi, long firstId)
    {
        var limit = new LocalStreamLimit(isClient, bidi, 3);
        Assert.True(limit.TryOpen(out long a));
        Assert.True(limit.TryOpen(out long b));
        Assert.Equal(firstId, a);
        Assert.Equal(firstId + 4, b);
        Assert.Equal(bidi, StreamId.IsBidirectional(a));
        Assert.Equal(isClient, StreamId.IsClientInitiated(a));
    }

    [Fact]
    public void LocalStreamLimit_AtPeerLimit_WaitsAndReportsBlockedOnce()
    {
        var limit = new LocalStreamLimit(isClient: true, bidirectional: true, peerMaxStreams: 2);
        Assert.True(limit.TryOpen(out _));
        Assert.False(limit.TryTakeStreamsBlocked(out _));
        Assert.True(limit.TryOpen(out _));
        Assert.False(limit.TryOpen(out long none));
        Assert.Equal(-1, none);
        Assert.True(limit.TryTakeStreamsBlocked(out long reported));
        Assert.Equal(2, reported);
        Assert.False(limit.TryTakeStreamsBlocked(out _));
        Assert.False(limit.OnMaxStreams(1));
        Assert.True(limit.OnMaxStreams(3));
        Assert.True(limit.TryOpen(out long third));
        Assert.Equal(8, third);
    }

    [Fact]
    public void LocalStreamLimit_MaxStreamsAbove2Pow60_ThrowsFrameEncodingError()
    {
        var limit = new LocalStreamLimit(true, true, 0);
        QuicStreamStateException ex = Assert.Throws<QuicStreamStateException>(() => limit.OnMaxStreams((1L << 60) + 1));
        Assert.Equal(QuicTransportError.FrameEncodingError, ex.ErrorCode);
    }

    [Fact]
    public void LocalStreamLimit_PeerRefersToUnopenedStream_ThrowsStreamStateError()
    {
        var limit = new LocalStreamLimit(true, true, 10);
        limit.TryOpen(out long opened);
        limit.ValidatePeerReference(opened);
        QuicStreamStateException ex = Assert.Throws<QuicStreamStateException>(() => limit.ValidatePeerReference(4));
        Assert.Equal(QuicTransportError.StreamStateError, ex.ErrorCode);
    }

    [Fact]
    public void RemoteStreamLimit_HigherId_OpensLowerStreamsImplicitly()
    {
        var limit = new RemoteStreamLimit(StreamType.ClientBidirectional, 100);
        Assert.Equal(3, limit.OnPeerStream(8, out long first));
        Assert.Equal(0, first);
        Assert.Equal(0, limit.OnPeerStream(4, out _));
        Assert.Equal(1, limit.OnPeerStream(12, out first));
        Assert.Equal(12, first);
    }

    [Fact]
    public void RemoteStreamLimit_BeyondLimit_ThrowsStreamLimitError()
    {
        var limit = new RemoteStreamLimit(StreamType.ClientBidirectional, 100);
        limit.OnPeerStream(StreamId.Make(StreamType.ClientBidirectional, 99), out _);
        QuicStreamStateException ex = Assert.Throws<QuicStreamStateException>(
            () => limit.OnPeerStream(StreamId.Make(StreamType.ClientBidirectional, 100), out _));
        Assert.Equal(QuicTransportError.StreamLimitError, ex.ErrorCode);
    }

    [Fact]
    public void RemoteStreamLimit_HalfTheStreamsClosed_RaisesLimit()
    {
        var limit = new RemoteStreamLimit(StreamType.ClientBidirectional, 100);
        limit.OnPeerStream(StreamId.Make(StreamType.ClientBidirectional, 99), out _);
        for (int i = 0; i < 49; i++)
        {
            limit.OnStreamClosed();
        }

        // 51 credit used... the peer has no credit left, so any raise is sent at once.
        Assert.True(limit.TryTakeMaxStreamsUpdate(out long max));
        Assert.Equal(149, max);
    }

    [Fact]
    public void RemoteStreamLimit_HasMaxStreamsUpdate_AgreesWithTryTakeAndDoesNotConsume()
    {
        var limit = new RemoteStreamLimit(StreamType.ClientBidirectional, 4);
        Assert.False(limit.HasMaxStreamsUpdate);
        limit.OnPeerStream(StreamId.Make(StreamType.ClientBidirectional, 3), out _);
        Assert.False(limit.HasMaxStreamsUpdate); // all credit used, none closed: nothing to raise
        limit.OnStreamClosed();
        limit.OnStreamClosed();

        Assert.True(limit.HasMaxStreamsUpdate);
        Assert.True(limit.HasMaxStreamsUpdate); // asking twice changes nothing
        Assert.True(limit.TryTakeMaxStreamsUpdate(out long max));
        Assert.Equal(6, max);
        Assert.False(limit.HasMaxStreamsUpdate);
        Assert.False(limit.TryTakeMaxStreamsUpdate(out _));
    }

    [Fact]
    public void RemoteStreamLimit_FewClosedAndCreditLeft_WaitsForHalf()
    {
        var limit = new RemoteStreamLimit(StreamType.ClientBidirectional, 100);
        limit.OnPeerStream(StreamId.Make(StreamType.ClientBidirectional, 9), out _);
        for (int i = 0; i < 10; i++)
        {
            limit.OnStreamClosed();
        }

        Assert.False(limit.TryTakeMaxStreamsUpdate(out _));
        limit.OnPeerStream(StreamId.Make(StreamType.ClientBidirectional, 50), out _);
        Assert.True(limit.TryTakeMaxStreamsUpdate(out long max));
        Assert.Equal(110, max);
    }

    [Fact]
    public void StreamLimits_TwoThousandSequentialStreams_NeverViolateAndNeverStall()
    {
        var remote = new RemoteStreamLimit(StreamType.ClientBidirectional, 100);
        var local = new LocalStreamLimit(isClient: true, bidirectional: true, peerMaxStreams: 100);
        var open = new Queue<long>();
        var random = new Random(5);
        int completed = 0;
        for (int step = 0; step < 100_000 && completed < 2_000; step++)
        {
            if (random.Next(2) == 0 && local.TryOpen(out long id))
            {
                remote.OnPeerStream(id, out _);
                open.Enqueue(id);
            }
            else if (open.Count > 0)
            {
                open.Dequeue();
                remote.OnStreamClosed();
                completed++;
            }

            if (remote.TryTakeMaxStreamsUpdate(out long max))
            {
                local.OnMaxStreams(max);
            }

            Assert.True(open.Count <= 100);
        }

        Assert.Equal(2_000, completed);
    }

    [Theory]
    [InlineData(2L, true, false)]
    [InlineData(3L, true, true)]
    [InlineData(3L, false, false)]
    [InlineData(2L, false, true)]
    public void StreamFrameRules_DirectionChecks(long streamId, bool isClient, bool receivingOk)
    {
        if (receivingOk)
        {
            StreamFrameRules.ValidateReceivingFrame(streamId, isClient);
            Assert.Throws<QuicStreamStateException>(() => StreamFrameRules.ValidateSendingFrame(streamId, isClient));
        }
        else
        {
            Assert.Throws<QuicStreamStateException>(() => StreamFrameRules.ValidateReceivingFrame(streamId, isClient));
            StreamFrameRules.ValidateSendingFrame(streamId, isClient);
        }

        StreamFrameRules.ValidateReceivingFrame(0, isClient);
        StreamFrameRules.ValidateSendingFrame(1, isClient);
    }
}

public sealed class StreamIdTests
{
    [Theory]
    [InlineData(0L, 0, 0L)]
    [InlineData(5L, 1, 1L)]
    [InlineData(10L, 2, 2L)]
    [InlineData(15L, 3, 3L)]
    public void TypeOfAndIndexOf_RoundTripThroughMake(long id, int typeBits, long index)
    {
        var type = (StreamType)typeBits;
        Assert.Equal(type, StreamId.TypeOf(id));
        Assert.Equal(index, StreamId.IndexOf(id));
        Assert.Equal(id, StreamId.Make(type, index));
    }

    [Fact]
    public void HasSendAndReceivePart_FollowInitiatorAndDirection()
    {
        Assert.True(StreamId.HasSendPart(2, isClient: true));
        Assert.False(StreamId.HasReceivePart(2, isClient: true));
        Assert.True(StreamId.HasReceivePart(2, isClient: false));
        Assert.True(StreamId.HasSendPart(0, isClient: false) && StreamId.HasReceivePart(0, isClient: false));
    }
}

public sealed class CryptoReceiveBufferTests
{
    [Fact]
    public void OnCryptoFrame_OutOfOrder_ReassemblesAndSlidesLimit()
    {
        var buffer = new CryptoReceiveBuffer(limit: 100);
        buffer.OnCryptoFrame(50, new byte[50]);
        buffer.OnCryptoFrame(0, Enumerable.Repeat((byte)1, 50).ToArray());
        byte[] output = new byte[100];
        Assert.Equal(100, buffer.Read(output));
        buffer.OnCryptoFrame(100, new byte[100]);
        Assert.Equal(100, buffer.Read(output));
    }

    [Fact]
    public void OnCryptoFrame_BeyondLimit_ThrowsCryptoBufferExceeded()
    {
        var buffer = new CryptoReceiveBuffer(limit: 100);
        QuicStreamStateException ex = Assert.Throws<QuicStreamStateException>(() => buffer.OnCryptoFrame(90, new byte[11]));
        Assert.Equal(QuicTransportError.CryptoBufferExceeded, ex.ErrorCode);
    }
}

public sealed class CryptoSendBufferTests
{
    [Fact]
    public void TryTakeNextRange_LostRange_ResentAtSameOffsetBeforeNewData()
    {
        var buffer = new CryptoSendBuffer();
        byte[] data = Enumerable.Range(0, 3_000).Select(i => (byte)i).ToArray();
        buffer.Write(data);
        Assert.True(buffer.TryTakeNextRange(1_000, out long o1, out int l1));
        Assert.True(buffer.TryTakeNextRange(1_000, out long o2, out _));
        buffer.OnLost(o1, l1);
        buffer.OnAcked(o2, 1_000);

        Assert.True(buffer.TryTakeNextRange(5_000, out long again, out int length));
        Assert.Equal((0L, 1_000), (again, length));
        byte[] copy = new byte[length];
        buffer.CopyTo(again, copy);
        Assert.Equal(data.AsSpan(0, 1_000).ToArray(), copy);
        Assert.True(buffer.TryTakeNextRange(5_000, out long fresh, out int freshLength));
        Assert.Equal((2_000L, 1_000), (fresh, freshLength));
        buffer.OnAcked(0, 1_000);
        buffer.OnAcked(2_000, 1_000);
        Assert.Equal(0, buffer.BufferedBytes);
        Assert.False(buffer.HasDataToSend);
    }
}
