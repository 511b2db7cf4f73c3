namespace Aster.Net.Quic.Packets;

/// <summary>Parses the unprotected part of QUIC packet headers (RFC 9000, section 17; RFC 8999).</summary>
internal static class QuicPacketParser
{
    /// <summary>
    /// Parses the header of the packet at the start of <paramref name="data"/>. Short headers need the length of our
    /// own connection ids, <paramref name="shortHeaderConnectionIdLength"/>. Never throws on peer input.
    /// </summary>
    public static QuicHeaderStatus TryParse(ReadOnlySpan<byte> data, int shortHeaderConnectionIdLength, out QuicPacketHeader header)
    {
        header = default;
        if (data.IsEmpty)
        {
            return QuicHeaderStatus.Malformed;
        }

        byte first = data[0];
        if ((first & QuicConstants.LongHeaderBit) == 0)
        {
            return ParseShort(data, shortHeaderConnectionIdLength, out header);
        }

        var reader = new QuicReader(data);
        reader.TrySkip(1);
        if (!reader.TryReadUInt32(out uint version)
            || !reader.TryReadLengthPrefixed8(QuicConstants.MaxInvariantConnectionIdLength, out ReadOnlySpan<byte> dcid)
            || !reader.TryReadLengthPrefixed8(QuicConstants.MaxInvariantConnectionIdLength, out ReadOnlySpan<byte> scid))
        {
            return QuicHeaderStatus.Malformed;
        }

        if (version == 0)
        {
            // Version Negotiation: the fixed bit and type bits are unused; the rest is the version list.
            if (reader.Remaining == 0 || reader.Remaining % 4 != 0)
            {
                return QuicHeaderStatus.Malformed;
            }

            header = new QuicPacketHeader(QuicPacketType.VersionNegotiation, first, 0, dcid, scid, default, reader.Position, data.Length);
            return QuicHeaderStatus.Ok;
        }

        if (version != QuicConstants.Version1)
        {
            header = new QuicPacketHeader(QuicPacketType.Initial, first, version, dcid, scid, default, reader.Position, data.Length);
            return QuicHeaderStatus.UnsupportedVersion;
        }

        if (dcid.Length > QuicConstants.MaxConnectionIdLength || scid.Length > QuicConstants.MaxConnectionIdLength)
        {
            return QuicHeaderStatus.Malformed;
        }

        if ((first & QuicConstants.FixedBit) == 0)
        {
            return QuicHeaderStatus.FixedBitClear;
        }

        var type = (QuicPacketType)((first >> 4) & 0x03);
        ReadOnlySpan<byte> token = default;
        if (type == QuicPacketType.Retry)
        {
            if (reader.Remaining < QuicConstants.RetryIntegrityTagLength)
            {
                return QuicHeaderStatus.Malformed;
            }

            reader.TryReadBytes(reader.Remaining - QuicConstants.RetryIntegrityTagLength, out token);
            header = new QuicPacketHeader(type, first, version, dcid, scid, token, data.Length, data.Length);
            return QuicHeaderStatus.Ok;
        }

        if (type == QuicPacketType.Initial)
        {
            if (!reader.TryReadVarint(out ulong tokenLength)
                || tokenLength > QuicConstants.MaxTokenLength
                || !reader.TryReadBytes((int)tokenLength, out token))
            {
                return QuicHeaderStatus.Malformed;
            }
        }

        if (!reader.TryReadVarint(out ulong length) || length > (ulong)reader.Remaining || length == 0)
        {
            return QuicHeaderStatus.Malformed;
        }

        int packetNumberOffset = reader.Position;
        header = new QuicPacketHeader(type, first, version, dcid, scid, token, packetNumberOffset, packetNumberOffset + (int)length);
        return QuicHeaderStatus.Ok;
    }

    private static QuicHeaderStatus ParseShort(ReadOnlySpan<byte> data, int connectionIdLength, out QuicPacketHeader header)
    {
        header = default;
        if ((uint)connectionIdLength > QuicConstants.MaxConnectionIdLength || data.Length < 1 + connectionIdLength + 1)
        {
            return QuicHeaderStatus.Malformed;
        }

        if ((data[0] & QuicConstants.FixedBit) == 0)
        {
            return QuicHeaderStatus.FixedBitClear;
        }

        header = new QuicPacketHeader(
            QuicPacketType.OneRtt, data[0], 0, data.Slice(1, connectionIdLength), default, default, 1 + connectionIdLength, data.Length);
        return QuicHeaderStatus.Ok;
    }
}

/// <summary>
/// Walks the packets coalesced in one datagram (RFC 9000, section 12.2). A malformed header ends the walk; a
/// packet whose destination connection id differs from the first one's is reported and skipped.
/// </summary>
internal ref struct QuicDatagramReader
{
    private readonly ReadOnlySpan<byte> _datagram;
    private readonly int _shortHeaderConnectionIdLength;
    private ReadOnlySpan<byte> _firstDestination;
    private int _offset;
    private bool _done;

    /// <summary>Creates a reader over one received datagram.</summary>
    public QuicDatagramReader(ReadOnlySpan<byte> datagram, int shortHeaderConnectionIdLength)
    {
        _datagram = datagram;
        _shortHeaderConnectionIdLength = shortHeaderConnectionIdLength;
        _firstDestination = default;
        _offset = 0;
        _done = false;
    }

    /// <summary>The offset in the datagram of the packet last returned.</summary>
    public int PacketOffset { get; private set; }

    /// <summary>
    /// Moves to the next packet. Returns false when the datagram is exhausted. When it returns true,
    /// <paramref name="status"/> says whether <paramref name="header"/> may be processed; the packet's bytes are
    /// <c>datagram.Slice(PacketOffset, header.PacketLength)</c>.
    /// </summary>
    public bool TryReadNext(out QuicPacketHeader header, out QuicHeaderStatus status)
    {
        header = default;
        status = QuicHeaderStatus.Malformed;
        if (_done || _offset >= _datagram.Length)
        {
            return false;
        }

        PacketOffset = _offset;
        status = QuicPacketParser.TryParse(_datagram[_offset..], _shortHeaderConnectionIdLength, out header);
        if (status is QuicHeaderStatus.Malformed)
        {
            _done = true;
            return true;
        }

        if (status is QuicHeaderStatus.FixedBitClear or QuicHeaderStatus.UnsupportedVersion
            || header.Type is QuicPacketType.OneRtt or QuicPacketType.Retry or QuicPacketType.VersionNegotiation)
        {
            // Nothing after these can be delimited: they run to the end of the datagram.
            _done = true;
        }

        if (status == QuicHeaderStatus.Ok)
        {
            if (_offset == 0)
            {
                _firstDestination = _datagram.Slice(PacketOffset + (header.IsLongHeader ? 6 : 1), header.DestinationConnectionId.Length);
            }
            else if (!header.DestinationConnectionId.SequenceEqual(_firstDestination))
            {
                status = QuicHeaderStatus.DestinationMismatch;
            }
        }

        _offset += status == QuicHeaderStatus.FixedBitClear ? _datagram.Length - _offset : header.PacketLength;
        if (status == QuicHeaderStatus.FixedBitClear)
        {
            header = default;
        }

        return true;
    }
}
