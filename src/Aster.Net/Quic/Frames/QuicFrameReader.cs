using Aster.Net.Quic.Packets;

namespace Aster.Net.Quic.Frames;

/// <summary>
/// Parses the frames of one decrypted packet payload in order, without copying (RFC 9000, sections 12.4 and 19).
/// Every malformed, unknown or misplaced frame throws <see cref="QuicProtocolException"/>: FRAME_ENCODING_ERROR for
/// bad encodings, unknown types and non-minimal type encodings; PROTOCOL_VIOLATION for a frame the packet type or the
/// sender's role does not allow, and for a packet without frames.
/// </summary>
internal ref struct QuicFrameReader
{
    private readonly QuicPacketType _packetType;
    private readonly bool _receiverIsServer;
    private QuicReader _reader;
    private bool _sawFrame;

    /// <summary>Creates a reader for the payload of a packet of <paramref name="packetType"/>.</summary>
    /// <param name="payload">The decrypted payload.</param>
    /// <param name="packetType">Initial, 0-RTT, Handshake or 1-RTT.</param>
    /// <param name="receiverIsServer">True when we are the server (so the peer is a client).</param>
    public QuicFrameReader(ReadOnlySpan<byte> payload, QuicPacketType packetType, bool receiverIsServer)
    {
        if (packetType is QuicPacketType.Retry or QuicPacketType.VersionNegotiation)
        {
            throw new ArgumentException("Retry and Version Negotiation packets carry no frames.", nameof(packetType));
        }

        _reader = new QuicReader(payload);
        _packetType = packetType;
        _receiverIsServer = receiverIsServer;
        _sawFrame = false;
        IsAckEliciting = false;
    }

    /// <summary>True once a frame other than PADDING, ACK or CONNECTION_CLOSE was read.</summary>
    public bool IsAckEliciting { get; private set; }

    /// <summary>Reads the next frame; false at the end of the payload.</summary>
    /// <exception cref="QuicProtocolException">The frame is malformed or not allowed here.</exception>
    public bool TryReadNext(out QuicFrame frame)
    {
        frame = default;
        if (_reader.IsEmpty)
        {
            if (!_sawFrame)
            {
                QuicErrors.ThrowProtocolViolation("Packet contains no frames.");
            }

            return false;
        }

        _sawFrame = true;
        _reader.FrameType = null;
        if (!_reader.TryReadVarint(out ulong rawType, out int typeLength))
        {
            QuicErrors.ThrowFrameEncoding("Truncated frame type.");
        }

        _reader.FrameType = rawType;
        if (!QuicVarint.IsMinimal(rawType, typeLength))
        {
            QuicErrors.ThrowFrameEncoding($"Frame type 0x{rawType:x} is not minimally encoded.", rawType);
        }

        if (rawType > (ulong)QuicFrameType.HandshakeDone)
        {
            string? extension = QuicFrameLimits.GetExtensionName(rawType);
            QuicErrors.ThrowFrameEncoding(
                extension is null ? $"Unknown frame type 0x{rawType:x}." : $"Frame type 0x{rawType:x} ({extension}) belongs to an extension that was not negotiated.",
                rawType);
        }

        QuicFrameType type = rawType is >= 0x08 and <= 0x0f ? QuicFrameType.Stream : (QuicFrameType)rawType;
        CheckAllowed(type, rawType);
        if (QuicFrameLimits.IsAckEliciting(type))
        {
            IsAckEliciting = true;
        }

        frame = type switch
        {
            QuicFrameType.Padding => ReadPadding(),
            QuicFrameType.Ping or QuicFrameType.HandshakeDone => new QuicFrame { Type = type, RawType = rawType },
            QuicFrameType.Ack or QuicFrameType.AckEcn => ReadAck(type),
            QuicFrameType.ResetStream => new QuicFrame
            {
                Type = type,
                RawType = rawType,
                StreamId = _reader.ReadVarint(),
                ErrorCode = _reader.ReadVarint(),
                FinalSize = _reader.ReadVarint(),
            },
            QuicFrameType.StopSending => new QuicFrame { Type = type, RawType = rawType, StreamId = _reader.ReadVarint(), ErrorCode = _reader.ReadVarint() },
            QuicFrameType.Crypto => ReadCrypto(),
            QuicFrameType.NewToken => ReadNewToken(),
            QuicFrameType.Stream => ReadStream(rawType),
            QuicFrameType.MaxData or QuicFrameType.DataBlocked => new QuicFrame { Type = type, RawType = rawType, Maximum = _reader.ReadVarint() },
            QuicFrameType.MaxStreamData or QuicFrameType.StreamDataBlocked =>
                new QuicFrame { Type = type, RawType = rawType, StreamId = _reader.ReadVarint(), Maximum = _reader.ReadVarint() },
            QuicFrameType.MaxStreamsBidi or QuicFrameType.MaxStreamsUni
                or QuicFrameType.StreamsBlockedBidi or QuicFrameType.StreamsBlockedUni => ReadStreamCount(type),
            QuicFrameType.NewConnectionId => ReadNewConnectionId(),
            QuicFrameType.RetireConnectionId => new QuicFrame { Type = type, RawType = rawType, SequenceNumber = _reader.ReadVarint() },
            QuicFrameType.PathChallenge or QuicFrameType.PathResponse =>
                new QuicFrame { Type = type, RawType = rawType, Data = _reader.ReadBytes(QuicFrameLimits.PathDataLength) },
            _ => ReadConnectionClose(type),
        };
        return true;
    }

    private readonly void CheckAllowed(QuicFrameType type, ulong rawType)
    {
        bool allowed = _packetType switch
        {
            QuicPacketType.Initial or QuicPacketType.Handshake => type is QuicFrameType.Padding or QuicFrameType.Ping
                or QuicFrameType.Ack or QuicFrameType.AckEcn or QuicFrameType.Crypto or QuicFrameType.ConnectionClose,
            QuicPacketType.ZeroRtt => type is not (QuicFrameType.Ack or QuicFrameType.AckEcn or QuicFrameType.Crypto
                or QuicFrameType.HandshakeDone or QuicFrameType.NewToken or QuicFrameType.PathResponse or QuicFrameType.RetireConnectionId),
            _ => true,
        };
        if (!allowed)
        {
            QuicErrors.ThrowProtocolViolation($"Frame type 0x{rawType:x} is not allowed in {_packetType} packets.", rawType);
        }

        if (_receiverIsServer && type is QuicFrameType.NewToken or QuicFrameType.HandshakeDone)
        {
            QuicErrors.ThrowProtocolViolation($"A client may not send frame type 0x{rawType:x}.", rawType);
        }
    }

    private QuicFrame ReadPadding()
    {
        int count = 1;
        ReadOnlySpan<byte> rest = _reader.RemainingSpan;
        int run = rest.IndexOfAnyExcept((byte)0);
        run = run < 0 ? rest.Length : run;
        _reader.TrySkip(run);
        count += run;
        return new QuicFrame { Type = QuicFrameType.Padding, RawType = 0, PaddingLength = count };
    }

    private QuicFrame ReadAck(QuicFrameType type)
    {
        ulong largest = _reader.ReadVarint();
        ulong delay = _reader.ReadVarint();
        ulong rangeCount = _reader.ReadVarint();
        ulong firstRange = _reader.ReadVarint();
        if (firstRange > largest)
        {
            QuicErrors.ThrowFrameEncoding("ACK first range extends below packet number 0.", (ulong)type);
        }

        if (rangeCount > (ulong)_reader.Remaining / 2)
        {
            QuicErrors.ThrowFrameEncoding($"ACK range count {rangeCount} exceeds what the {_reader.Remaining} bytes left can hold.", (ulong)type);
        }

        int rangesStart = _reader.Position;
        ReadOnlySpan<byte> all = _reader.RemainingSpan;
        ulong smallest = largest - firstRange;
        for (ulong i = 0; i < rangeCount; i++)
        {
            ulong gap = _reader.ReadVarint();
            ulong length = _reader.ReadVarint();
            if (smallest < 2 || gap > smallest - 2)
            {
                QuicErrors.ThrowFrameEncoding("ACK gap extends below packet number 0.", (ulong)type);
            }

            ulong rangeLargest = smallest - gap - 2;
            if (length > rangeLargest)
            {
                QuicErrors.ThrowFrameEncoding("ACK range extends below packet number 0.", (ulong)type);
            }

            smallest = rangeLargest - length;
        }

        ReadOnlySpan<byte> rangeBytes = all[..(_reader.Position - rangesStart)];
        EcnCounts ecn = default;
        if (type == QuicFrameType.AckEcn)
        {
            ecn = new EcnCounts(_reader.ReadVarint(), _reader.ReadVarint(), _reader.ReadVarint());
        }

        return new QuicFrame
        {
            Type = type,
            RawType = (ulong)type,
            LargestAcknowledged = largest,
            AckDelay = delay,
            AckRangeCount = rangeCount,
            FirstAckRange = firstRange,
            AckRangeBytes = rangeBytes,
            Ecn = ecn,
        };
    }

    private QuicFrame ReadCrypto()
    {
        ulong offset = _reader.ReadVarint();
        ReadOnlySpan<byte> data = _reader.ReadVarintLengthPrefixed(QuicFrameLimits.MaxFrameBytes, "CRYPTO data");
        if (offset + (ulong)data.Length > QuicVarint.MaxValue)
        {
            QuicErrors.ThrowFrameEncoding("CRYPTO data extends beyond 2^62 - 1.", (ulong)QuicFrameType.Crypto);
        }

        return new QuicFrame { Type = QuicFrameType.Crypto, RawType = (ulong)QuicFrameType.Crypto, Offset = offset, Data = data };
    }

    private QuicFrame ReadNewToken()
    {
        ReadOnlySpan<byte> token = _reader.ReadVarintLengthPrefixed(QuicFrameLimits.MaxNewTokenLength, "NEW_TOKEN token");
        if (token.IsEmpty)
        {
            QuicErrors.ThrowFrameEncoding("NEW_TOKEN with an empty token.", (ulong)QuicFrameType.NewToken);
        }

        return new QuicFrame { Type = QuicFrameType.NewToken, RawType = (ulong)QuicFrameType.NewToken, Data = token };
    }

    private QuicFrame ReadStream(ulong rawType)
    {
        ulong streamId = _reader.ReadVarint();
        ulong offset = (rawType & QuicFrameLimits.StreamOffsetBit) != 0 ? _reader.ReadVarint() : 0;
        ReadOnlySpan<byte> data = (rawType & QuicFrameLimits.StreamLengthBit) != 0
            ? _reader.ReadVarintLengthPrefixed(QuicFrameLimits.MaxFrameBytes, "STREAM data")
            : _reader.ReadBytes(_reader.Remaining);
        if (offset + (ulong)data.Length > QuicVarint.MaxValue)
        {
            QuicErrors.ThrowFrameEncoding("STREAM data extends beyond 2^62 - 1.", rawType);
        }

        return new QuicFrame
        {
            Type = QuicFrameType.Stream,
            RawType = rawType,
            StreamId = streamId,
            Offset = offset,
            Data = data,
            Fin = (rawType & QuicFrameLimits.StreamFinBit) != 0,
        };
    }

    private QuicFrame ReadStreamCount(QuicFrameType type)
    {
        ulong count = _reader.ReadVarint();
        if (count > QuicFrameLimits.MaxStreamCount)
        {
            QuicErrors.ThrowFrameEncoding($"Stream count {count} exceeds 2^60.", (ulong)type);
        }

        return new QuicFrame { Type = type, RawType = (ulong)type, Maximum = count };
    }

    private QuicFrame ReadNewConnectionId()
    {
        ulong sequence = _reader.ReadVarint();
        ulong retirePriorTo = _reader.ReadVarint();
        byte length = _reader.ReadByte();
        if (length is < 1 or > QuicConstants.MaxConnectionIdLength)
        {
            QuicErrors.ThrowFrameEncoding($"NEW_CONNECTION_ID length {length} is outside 1 to 20.", (ulong)QuicFrameType.NewConnectionId);
        }

        ReadOnlySpan<byte> connectionId = _reader.ReadBytes(length);
        ReadOnlySpan<byte> token = _reader.ReadBytes(QuicConstants.StatelessResetTokenLength);
        if (retirePriorTo > sequence)
        {
            QuicErrors.ThrowFrameEncoding("NEW_CONNECTION_ID Retire Prior To exceeds its sequence number.", (ulong)QuicFrameType.NewConnectionId);
        }

        return new QuicFrame
        {
            Type = QuicFrameType.NewConnectionId,
            RawType = (ulong)QuicFrameType.NewConnectionId,
            SequenceNumber = sequence,
            RetirePriorTo = retirePriorTo,
            ConnectionId = connectionId,
            StatelessResetToken = token,
        };
    }

    private QuicFrame ReadConnectionClose(QuicFrameType type)
    {
        ulong errorCode = _reader.ReadVarint();
        ulong trigger = type == QuicFrameType.ConnectionClose ? _reader.ReadVarint() : 0;
        ReadOnlySpan<byte> reason = _reader.ReadVarintLengthPrefixed(QuicFrameLimits.MaxFrameBytes, "CONNECTION_CLOSE reason");
        return new QuicFrame { Type = type, RawType = (ulong)type, ErrorCode = errorCode, TriggerFrameType = trigger, ReasonPhrase = reason };
    }
}
