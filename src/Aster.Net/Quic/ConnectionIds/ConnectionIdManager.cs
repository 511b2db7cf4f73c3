using System.Security.Cryptography;
using Aster.Net.Quic.Packets;
using Aster.Net.Quic.Protection;

namespace Aster.Net.Quic.ConnectionIds;

/// <summary>A connection id with its sequence number and stateless reset token.</summary>
/// <param name="SequenceNumber">The sequence number (0 for the handshake's id).</param>
/// <param name="ConnectionId">The id bytes.</param>
/// <param name="StatelessResetToken">The 16-byte token, or null when none is known (the peer's handshake id before its transport parameters).</param>
internal sealed record ConnectionIdEntry(ulong SequenceNumber, byte[] ConnectionId, byte[]? StatelessResetToken);

/// <summary>
/// The connection ids of one connection (RFC 9000, sections 5.1 and 19.15 to 19.16; transport.md, sections 3.4 and 6.3):
/// ids we issue (with stateless reset tokens from the endpoint's reset key) and ids the peer issued to us, with
/// Retire Prior To, the active limit, the switch to a fresh id and stateless reset detection.
/// </summary>
/// <remarks>Not thread-safe; the connection owns it.</remarks>
internal sealed class ConnectionIdManager
{
    /// <summary>The length of every connection id we issue (transport.md, section 2).</summary>
    public const int LocalConnectionIdLength = 8;

    /// <summary>The most RETIRE_CONNECTION_ID frames we let pile up before treating the peer as abusive.</summary>
    public const int MaxPendingRetirements = 64;

    private readonly byte[] _resetKey;
    private readonly int _localActiveLimit;
    private readonly List<ConnectionIdEntry> _local = [];
    private readonly List<ConnectionIdEntry> _remote = [];
    private readonly Queue<ulong> _pendingRetirements = new();
    private ulong _nextLocalSequence;
    private ulong _remoteRetirePriorTo;

    /// <summary>
    /// Creates the manager with our handshake source id (sequence 0), the peer's handshake id (sequence 0) and our
    /// <c>active_connection_id_limit</c>.
    /// </summary>
    public ConnectionIdManager(ReadOnlySpan<byte> resetKey, ReadOnlySpan<byte> initialLocalConnectionId, ReadOnlySpan<byte> initialRemoteConnectionId, int localActiveLimit = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(localActiveLimit, 2);
        _resetKey = resetKey.ToArray();
        _localActiveLimit = localActiveLimit;
        _local.Add(new ConnectionIdEntry(0, initialLocalConnectionId.ToArray(), ComputeToken(initialLocalConnectionId)));
        _nextLocalSequence = 1;
        _remote.Add(new ConnectionIdEntry(0, initialRemoteConnectionId.ToArray(), null));
        Current = _remote[0];
    }

    /// <summary>The peer's id we currently send to.</summary>
    public ConnectionIdEntry Current { get; private set; }

    /// <summary>The ids we issued that are not retired.</summary>
    public IReadOnlyList<ConnectionIdEntry> LocalIds => _local;

    /// <summary>The peer's ids we hold.</summary>
    public IReadOnlyList<ConnectionIdEntry> RemoteIds => _remote;

    /// <summary>The peer's <c>active_connection_id_limit</c> (2 until its transport parameters arrive).</summary>
    public int PeerActiveLimit { get; set; } = 2;

    /// <summary>True if <paramref name="connectionId"/> is one of ours that is still active.</summary>
    public bool IsLocal(ReadOnlySpan<byte> connectionId)
    {
        foreach (ConnectionIdEntry entry in _local)
        {
            if (connectionId.SequenceEqual(entry.ConnectionId))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Records the stateless reset token the server sent in its transport parameters (for its handshake id).</summary>
    public void SetInitialRemoteResetToken(ReadOnlySpan<byte> token)
    {
        if (token.Length != QuicConstants.StatelessResetTokenLength)
        {
            throw new ArgumentException("A stateless reset token is 16 bytes.", nameof(token));
        }

        int index = _remote.FindIndex(e => e.SequenceNumber == 0);
        if (index >= 0)
        {
            _remote[index] = _remote[index] with { StatelessResetToken = token.ToArray() };
            if (Current.SequenceNumber == 0)
            {
                Current = _remote[index];
            }
        }
    }

    /// <summary>
    /// Issues new ids until we hold min(peer limit, <paramref name="cap"/>) active ones (transport.md: up to
    /// min(peer limit, 4) - 1 extra ids after the handshake). Each result becomes a NEW_CONNECTION_ID frame.
    /// </summary>
    public IReadOnlyList<ConnectionIdEntry> IssueConnectionIds(int cap = 4)
    {
        var issued = new List<ConnectionIdEntry>();
        int target = Math.Min(PeerActiveLimit, cap);
        while (_local.Count < target)
        {
            byte[] id = RandomNumberGenerator.GetBytes(LocalConnectionIdLength);
            var entry = new ConnectionIdEntry(_nextLocalSequence++, id, ComputeToken(id));
            _local.Add(entry);
            issued.Add(entry);
        }

        return issued;
    }

    /// <summary>
    /// Handles RETIRE_CONNECTION_ID from the peer. <paramref name="packetDestination"/> is the destination id of the
    /// packet that carried it.
    /// </summary>
    /// <exception cref="QuicProtocolException">PROTOCOL_VIOLATION for a sequence never issued, or for retiring the id the frame arrived on.</exception>
    public void OnRetireConnectionId(ulong sequenceNumber, ReadOnlySpan<byte> packetDestination)
    {
        if (sequenceNumber >= _nextLocalSequence)
        {
            QuicErrors.ThrowProtocolViolation($"RETIRE_CONNECTION_ID for sequence {sequenceNumber}, which was never issued.", 0x19);
        }

        int index = _local.FindIndex(e => e.SequenceNumber == sequenceNumber);
        if (index < 0)
        {
            return;
        }

        if (packetDestination.SequenceEqual(_local[index].ConnectionId))
        {
            QuicErrors.ThrowProtocolViolation("RETIRE_CONNECTION_ID retires the id of the packet that carried it.", 0x19);
        }

        _local.RemoveAt(index);
    }

    /// <summary>Handles NEW_CONNECTION_ID from the peer (the frame reader has validated its encoding).</summary>
    /// <exception cref="QuicProtocolException">
    /// PROTOCOL_VIOLATION for a reused sequence number with different contents; CONNECTION_ID_LIMIT_ERROR when the
    /// peer exceeds our active limit or makes us retire too many ids at once.
    /// </exception>
    public void OnNewConnectionId(ulong sequenceNumber, ulong retirePriorTo, ReadOnlySpan<byte> connectionId, ReadOnlySpan<byte> statelessResetToken)
    {
        int existing = _remote.FindIndex(e => e.SequenceNumber == sequenceNumber);
        if (existing >= 0)
        {
            ConnectionIdEntry entry = _remote[existing];
            if (!connectionId.SequenceEqual(entry.ConnectionId)
                || (entry.StatelessResetToken is not null && !statelessResetToken.SequenceEqual(entry.StatelessResetToken)))
            {
                QuicErrors.ThrowProtocolViolation($"NEW_CONNECTION_ID reuses sequence {sequenceNumber} with different contents.", 0x18);
            }

            return;
        }

        foreach (ConnectionIdEntry entry in _remote)
        {
            if (connectionId.SequenceEqual(entry.ConnectionId))
            {
                QuicErrors.ThrowProtocolViolation("NEW_CONNECTION_ID repeats a connection id under another sequence number.", 0x18);
            }
        }

        if (sequenceNumber < _remoteRetirePriorTo)
        {
            // Already retired by an earlier Retire Prior To: retire it straight away.
            QueueRetirement(sequenceNumber);
        }
        else
        {
            _remote.Add(new ConnectionIdEntry(sequenceNumber, connectionId.ToArray(), statelessResetToken.ToArray()));
        }

        if (retirePriorTo > _remoteRetirePriorTo)
        {
            _remoteRetirePriorTo = retirePriorTo;
            for (int i = _remote.Count - 1; i >= 0; i--)
            {
                if (_remote[i].SequenceNumber < retirePriorTo)
                {
                    QueueRetirement(_remote[i].SequenceNumber);
                    _remote.RemoveAt(i);
                }
            }

            if (Current.SequenceNumber < retirePriorTo)
            {
                Current = _remote.MinBy(e => e.SequenceNumber)!;
            }
        }

        if (_remote.Count > _localActiveLimit)
        {
            QuicErrors.Throw(QuicTransportError.ConnectionIdLimitError, $"The peer gave us {_remote.Count} active connection ids; our limit is {_localActiveLimit}.", 0x18);
        }
    }

    /// <summary>
    /// Switches to an unused peer id and retires the current one (transport.md, section 6.3). False if no other id is
    /// available.
    /// </summary>
    public bool TryRotateDestination()
    {
        ConnectionIdEntry? next = null;
        foreach (ConnectionIdEntry entry in _remote)
        {
            if (entry.SequenceNumber > Current.SequenceNumber && (next is null || entry.SequenceNumber < next.SequenceNumber))
            {
                next = entry;
            }
        }

        if (next is null)
        {
            return false;
        }

        _remote.Remove(Current);
        QueueRetirement(Current.SequenceNumber);
        Current = next;
        return true;
    }

    /// <summary>Queues a RETIRE_CONNECTION_ID again (the packet that carried it was lost).</summary>
    public void RequeueRetirement(ulong sequenceNumber) => QueueRetirement(sequenceNumber);

    /// <summary>Finds one of our active ids by sequence number.</summary>
    public ConnectionIdEntry? FindLocal(ulong sequenceNumber) => _local.Find(e => e.SequenceNumber == sequenceNumber);

    /// <summary>Takes the next sequence number to send in RETIRE_CONNECTION_ID.</summary>
    public bool TryTakeRetirement(out ulong sequenceNumber) => _pendingRetirements.TryDequeue(out sequenceNumber);

    /// <summary>
    /// True if <paramref name="datagram"/> ends with a stateless reset token of any peer id we hold (constant-time per
    /// token). Call it for datagrams that match no connection or fail to decrypt.
    /// </summary>
    public bool IsStatelessReset(ReadOnlySpan<byte> datagram)
    {
        bool match = false;
        foreach (ConnectionIdEntry entry in _remote)
        {
            if (entry.StatelessResetToken is not null)
            {
                match |= StatelessReset.Matches(datagram, entry.StatelessResetToken);
            }
        }

        return match;
    }

    private byte[] ComputeToken(ReadOnlySpan<byte> connectionId)
    {
        byte[] token = new byte[QuicConstants.StatelessResetTokenLength];
        StatelessReset.ComputeToken(_resetKey, connectionId, token);
        return token;
    }

    private void QueueRetirement(ulong sequenceNumber)
    {
        if (_pendingRetirements.Count >= MaxPendingRetirements)
        {
            QuicErrors.Throw(QuicTransportError.ConnectionIdLimitError, "Too many connection ids waiting to be retired.", 0x18);
        }

        _pendingRetirements.Enqueue(sequenceNumber);
    }
}
