namespace Aster.Net.Identity;

/// <summary>
/// An iroh custom transport address (iroh-base <c>CustomAddr</c>: a transport id and opaque bytes), carried by
/// <see cref="EndpointTicket"/> so that a ticket naming one still parses and re-encodes. Aster does not dial it.
/// </summary>
public sealed class CustomTransportAddress : IEquatable<CustomTransportAddress>
{
    /// <summary>Payloads up to this length are stored inline by iroh (which changes their encoding).</summary>
    internal const int InlineCapacity = 30;

    private readonly byte[] _data;

    /// <summary>Creates a custom address.</summary>
    /// <param name="transportId">The custom transport's id.</param>
    /// <param name="data">The address bytes; copied.</param>
    public CustomTransportAddress(ulong transportId, ReadOnlySpan<byte> data)
    {
        TransportId = transportId;
        _data = data.ToArray();
    }

    /// <summary>The custom transport's id.</summary>
    public ulong TransportId { get; }

    /// <summary>The address bytes.</summary>
    public ReadOnlyMemory<byte> Data => _data;

    internal byte[] DataArray => _data;

    /// <remarks>
    /// iroh's order (derived <c>Ord</c> of <c>CustomAddr</c>): by transport id, then inline payloads (at most 30 bytes)
    /// before heap payloads; inline ones by length then by their zero-padded bytes, heap ones lexicographically.
    /// </remarks>
    internal static readonly IComparer<CustomTransportAddress> Order = Comparer<CustomTransportAddress>.Create(static (a, b) => a.CompareTo(b));

    internal int CompareTo(CustomTransportAddress other)
    {

        int c = TransportId.CompareTo(other.TransportId);
        if (c != 0)
        {
            return c;
        }

        bool inline = _data.Length <= InlineCapacity;
        bool otherInline = other._data.Length <= InlineCapacity;
        if (inline != otherInline)
        {
            return inline ? -1 : 1;
        }

        if (inline)
        {
            c = _data.Length.CompareTo(other._data.Length);
            return c != 0 ? c : _data.AsSpan().SequenceCompareTo(other._data);
        }

        return _data.AsSpan().SequenceCompareTo(other._data);
    }

    /// <inheritdoc/>
    public bool Equals(CustomTransportAddress? other)
        => other is not null && TransportId == other.TransportId && _data.AsSpan().SequenceEqual(other._data);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as CustomTransportAddress);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(TransportId, _data.Length);

    /// <summary>iroh's text form: the transport id in hex, <c>_</c>, the data in lowercase hex.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{TransportId:x}_{Convert.ToHexStringLower(_data)}";
}
