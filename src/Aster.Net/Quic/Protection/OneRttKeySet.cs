using System.Security.Cryptography;
using Aster.Net.Quic.Packets;
using Aster.Net.Tls;

namespace Aster.Net.Quic.Protection;

/// <summary>
/// 1-RTT packet protection with key updates (RFC 9001, section 6; transport.md, section 6.4). It holds the current
/// send keys, the current, precomputed next and (for a while) previous receive keys, and the fixed header keys.
/// </summary>
/// <remarks>
/// <para>Receiving: a packet in the current phase opens with the current keys. A packet in the other phase opens with
/// the previous keys if its number is below the first one received in the current phase, otherwise with the next
/// keys; if that succeeds the peer has updated, the receive keys rotate and, unless we started the update, the send
/// keys follow before anything else is sent. A failed decryption never changes the phase.</para>
/// <para>Initiating: <see cref="InitiateKeyUpdate"/> is allowed once the handshake is confirmed (the caller's check)
/// and a packet sent with the current keys was acknowledged (<see cref="OnPacketAcknowledged"/>).</para>
/// <para>Threading: not thread-safe; one connection uses it from one thread at a time.</para>
/// </remarks>
internal sealed class OneRttKeySet : IDisposable
{
    /// <summary>How many packets before the confidentiality limit we start an update (transport.md, section 6.4).</summary>
    public const long KeyUpdateMargin = 10_000;

    private readonly TlsCipherSuite _suite;
    private readonly HeaderProtectionKey _readHeaderKey;
    private readonly HeaderProtectionKey _writeHeaderKey;
    private byte[] _readSecret;
    private byte[] _writeSecret;
    private PacketAead _readCurrent;
    private PacketAead _readNext;
    private PacketAead? _readPrevious;
    private PacketAead _writeCurrent;
    private long _firstReceivedInPhase = -1;
    private long _firstSentInPhase = -1;
    private bool _sentInPhaseAcknowledged;
    private long _updateTriggerPacket = -1;
    private bool _updateTriggerAcknowledged;
    private bool _readPhase;
    private bool _writePhase;

    /// <summary>Creates the set from the first 1-RTT secrets TLS produced.</summary>
    public OneRttKeySet(TlsCipherSuite suite, ReadOnlySpan<byte> readSecret, ReadOnlySpan<byte> writeSecret)
    {
        _suite = suite;
        _readSecret = readSecret.ToArray();
        _writeSecret = writeSecret.ToArray();
        _readHeaderKey = PacketProtectionKeys.CreateHeaderKey(suite, readSecret);
        _writeHeaderKey = PacketProtectionKeys.CreateHeaderKey(suite, writeSecret);
        _readCurrent = PacketProtectionKeys.CreateAead(suite, readSecret);
        _writeCurrent = PacketProtectionKeys.CreateAead(suite, writeSecret);
        _readNext = CreateNextReadAead();
    }

    /// <summary>The key-phase bit our packets carry now.</summary>
    public bool KeyPhase => _writePhase;

    /// <summary>The number of key updates (either side's) completed in the receive direction, plus any we started.</summary>
    public int KeyUpdatesInitiated { get; private set; }

    /// <summary>The number of key updates the peer started that we followed.</summary>
    public int KeyUpdatesAnswered { get; private set; }

    /// <summary>
    /// Counts receive-key rotations. When it changes, the connection schedules <see cref="DiscardPreviousKeys"/> for
    /// 3 × PTO later (this class has no clock).
    /// </summary>
    public int ReadKeyGeneration { get; private set; }

    /// <summary>
    /// When true, a peer that updates keys again before we sent an acknowledgment (with the updated keys) of the packet
    /// that started its previous update fails with KEY_UPDATE_ERROR (RFC 9001, section 6.2, a MAY). The connection must
    /// then report every ACK it sends with <see cref="OnAcknowledgmentSent"/>. Defaults to false.
    /// </summary>
    public bool EnforceConsecutiveUpdateCheck { get; set; }

    /// <summary>Packets sealed with the current send key.</summary>
    public long PacketsSentWithCurrentKey { get; private set; }

    /// <summary>Packets that failed to decrypt over the connection.</summary>
    public long FailedDecryptions { get; private set; }

    /// <summary>True once <see cref="FailedDecryptions"/> reached the suite's integrity limit: close with AEAD_LIMIT_REACHED.</summary>
    public bool IntegrityLimitReached => FailedDecryptions >= QuicCipherSuites.GetIntegrityLimit(_suite);

    /// <summary>True when previous receive keys are still held (discard them 3 × PTO after an update).</summary>
    public bool HasPreviousKeys => _readPrevious is not null;

    /// <summary>True if a key update may be started now (a packet in the current phase was acknowledged).</summary>
    public bool CanInitiateKeyUpdate => _sentInPhaseAcknowledged && _readPhase == _writePhase;

    /// <summary>True when the current send key nears its confidentiality limit and an update is due.</summary>
    public bool KeyUpdateDue => PacketsSentWithCurrentKey >= QuicCipherSuites.GetConfidentialityLimit(_suite) - KeyUpdateMargin;

    /// <summary>
    /// Seals a 1-RTT packet whose short header (with the packet number) is already written: sets the key-phase bit to
    /// <see cref="KeyPhase"/>, encrypts, applies header protection and returns the packet length.
    /// </summary>
    public int Seal(Span<byte> packet, int packetNumberOffset, int headerLength, int payloadLength, long packetNumber) =>
        Seal(packet, packetNumberOffset, headerLength, payloadLength, packetNumber, null, 0);

    /// <summary>
    /// Like <see cref="Seal(Span{byte}, int, int, int, long)"/>, but when <paramref name="headerBatch"/> is given (and
    /// not full) the header is left plain and the packet recorded at <paramref name="location"/>: the caller masks it
    /// with the rest of the batch through <see cref="ProtectHeaders"/> before the packet leaves.
    /// </summary>
    public int Seal(Span<byte> packet, int packetNumberOffset, int headerLength, int payloadLength, long packetNumber, HeaderProtectionBatch? headerBatch, int location)
    {
        packet[0] = (byte)((packet[0] & ~0x04) | (_writePhase ? 0x04 : 0));
        int length;
        if (headerBatch is null || headerBatch.IsFull)
        {
            length = QuicPacketProtection.Seal(_writeCurrent, _writeHeaderKey, packet, packetNumberOffset, headerLength, payloadLength, packetNumber);
        }
        else
        {
            length = QuicPacketProtection.EncryptPayload(_writeCurrent, packet, packetNumberOffset, headerLength, payloadLength, packetNumber);
            headerBatch.Add(packet[..length], location, packetNumberOffset);
        }

        if (_firstSentInPhase < 0)
        {
            _firstSentInPhase = packetNumber;
        }

        PacketsSentWithCurrentKey++;
        return length;
    }

    /// <summary>
    /// Opens a 1-RTT packet in place (<paramref name="packet"/> is the packet's bytes, which run to the end of the
    /// datagram). <paramref name="largestPacketNumber"/> is the largest processed in the application space, or -1.
    /// </summary>
    /// <exception cref="QuicProtocolException">
    /// PROTOCOL_VIOLATION: reserved bits set in an authenticated packet; KEY_UPDATE_ERROR: consecutive updates (only with
    /// <see cref="EnforceConsecutiveUpdateCheck"/>).
    /// </exception>
    public QuicOpenStatus Open(Span<byte> packet, int packetNumberOffset, long largestPacketNumber, out QuicOpenedPacket opened) =>
        Open(packet, packetNumberOffset, largestPacketNumber, default, out opened);

    /// <summary>
    /// Like <see cref="Open(Span{byte}, int, long, out QuicOpenedPacket)"/> with the header-protection mask already
    /// computed (<see cref="ComputeReadMasks"/>) unless <paramref name="headerMask"/> is empty.
    /// </summary>
    public QuicOpenStatus Open(Span<byte> packet, int packetNumberOffset, long largestPacketNumber, ReadOnlySpan<byte> headerMask, out QuicOpenedPacket opened)
    {
        opened = default;
        if (!QuicPacketProtection.TryRemoveHeaderProtection(_readHeaderKey, packet, packetNumberOffset, headerMask, out int packetNumberLength))
        {
            return QuicOpenStatus.TooShort;
        }

        long packetNumber = QuicPacketNumber.Decode(
            largestPacketNumber, QuicPacketNumber.ReadTruncated(packet[packetNumberOffset..], packetNumberLength), packetNumberLength);
        int headerLength = packetNumberOffset + packetNumberLength;
        bool phase = (packet[0] & 0x04) != 0;

        PacketAead aead;
        bool isNext = false;
        if (phase == _readPhase)
        {
            aead = _readCurrent;
        }
        else if (_firstReceivedInPhase >= 0 && packetNumber < _firstReceivedInPhase)
        {
            if (_readPrevious is null)
            {
                return QuicOpenStatus.KeyUnavailable;
            }

            aead = _readPrevious;
        }
        else
        {
            aead = _readNext;
            isNext = true;
        }

        if (!QuicPacketProtection.TryDecryptPayload(aead, packet, headerLength, packetNumber, out int payloadLength))
        {
            FailedDecryptions++;
            return QuicOpenStatus.AuthenticationFailed;
        }

        QuicPacketProtection.CheckReservedBits(packet[0]);
        if (isNext)
        {
            PromoteReadKeys(packetNumber);
        }
        else if (aead == _readCurrent && (_firstReceivedInPhase < 0 || packetNumber < _firstReceivedInPhase))
        {
            _firstReceivedInPhase = packetNumber;
        }

        opened = new QuicOpenedPacket(packetNumber, headerLength, payloadLength, packet[0]);
        return QuicOpenStatus.Success;
    }

    /// <summary>Masks the headers of the packets <see cref="Seal(Span{byte}, int, int, int, long, HeaderProtectionBatch?, int)"/> recorded in <paramref name="headerBatch"/>, which lie in <paramref name="buffer"/>.</summary>
    public void ProtectHeaders(HeaderProtectionBatch headerBatch, Span<byte> buffer) => headerBatch.Protect(_writeHeaderKey, buffer);

    /// <summary>Computes the masks of received packets whose samples <paramref name="headerBatch"/> holds (one key for every key phase).</summary>
    public void ComputeReadMasks(HeaderProtectionBatch headerBatch) => headerBatch.ComputeMasks(_readHeaderKey);

    /// <summary>Reports that the peer acknowledged <paramref name="packetNumber"/> of ours.</summary>
    public void OnPacketAcknowledged(long packetNumber)
    {
        if (_firstSentInPhase >= 0 && packetNumber >= _firstSentInPhase)
        {
            _sentInPhaseAcknowledged = true;
        }
    }

    /// <summary>Reports that a packet sealed with the current keys carried an ACK whose largest acknowledged is <paramref name="largestAcknowledged"/>.</summary>
    public void OnAcknowledgmentSent(long largestAcknowledged)
    {
        if (_updateTriggerPacket >= 0 && largestAcknowledged >= _updateTriggerPacket)
        {
            _updateTriggerAcknowledged = true;
        }
    }

    /// <summary>Starts a key update: our next packet carries the other key phase with the next send keys.</summary>
    /// <exception cref="InvalidOperationException">No packet of the current phase has been acknowledged yet, or an update is in progress.</exception>
    public void InitiateKeyUpdate()
    {
        if (!CanInitiateKeyUpdate)
        {
            throw new InvalidOperationException("A key update needs an acknowledged packet in the current key phase.");
        }

        UpdateWriteKeys();
        KeyUpdatesInitiated++;
    }

    /// <summary>Drops the previous receive keys (3 × PTO after an update, RFC 9001, section 6.5).</summary>
    public void DiscardPreviousKeys()
    {
        _readPrevious?.Dispose();
        _readPrevious = null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _readHeaderKey.Dispose();
        _writeHeaderKey.Dispose();
        _readCurrent.Dispose();
        _readNext.Dispose();
        _readPrevious?.Dispose();
        _writeCurrent.Dispose();
        CryptographicOperations.ZeroMemory(_readSecret);
        CryptographicOperations.ZeroMemory(_writeSecret);
    }

    private PacketAead CreateNextReadAead()
    {
        byte[] next = PacketProtectionKeys.NextSecret(_suite, _readSecret);
        try
        {
            return PacketProtectionKeys.CreateAead(_suite, next);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(next);
        }
    }

    private void PromoteReadKeys(long packetNumber)
    {
        if (EnforceConsecutiveUpdateCheck && _updateTriggerPacket >= 0 && !_updateTriggerAcknowledged)
        {
            QuicErrors.Throw(QuicTransportError.KeyUpdateError, "The peer updated keys twice without waiting for our acknowledgment.");
        }

        _updateTriggerPacket = packetNumber;
        _updateTriggerAcknowledged = false;
        _readPrevious?.Dispose();
        _readPrevious = _readCurrent;
        _readCurrent = _readNext;
        byte[] nextSecret = PacketProtectionKeys.NextSecret(_suite, _readSecret);
        CryptographicOperations.ZeroMemory(_readSecret);
        _readSecret = nextSecret;
        _readNext = CreateNextReadAead();
        _readPhase = !_readPhase;
        _firstReceivedInPhase = packetNumber;
        ReadKeyGeneration++;
        if (_writePhase != _readPhase)
        {
            // The peer started this update: follow it before sending anything else (RFC 9001, section 6.2).
            UpdateWriteKeys();
            KeyUpdatesAnswered++;
        }
    }

    private void UpdateWriteKeys()
    {
        byte[] nextSecret = PacketProtectionKeys.NextSecret(_suite, _writeSecret);
        CryptographicOperations.ZeroMemory(_writeSecret);
        _writeSecret = nextSecret;
        _writeCurrent.Dispose();
        _writeCurrent = PacketProtectionKeys.CreateAead(_suite, _writeSecret);
        _writePhase = !_writePhase;
        _firstSentInPhase = -1;
        _sentInPhaseAcknowledged = false;
        PacketsSentWithCurrentKey = 0;
    }
}
