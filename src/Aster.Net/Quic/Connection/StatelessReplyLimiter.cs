namespace Aster.Net.Quic.Connection;

/// <summary>
/// Limits the datagrams an endpoint sends without connection state (stateless resets, Version Negotiation) to a fixed
/// number per second, so that spoofed traffic cannot turn the endpoint into a reflector (transport.md 7.6). Used from
/// the endpoint's single receive loop; not thread-safe.
/// </summary>
internal sealed class StatelessReplyLimiter
{
    /// <summary>The default number of replies allowed per second.</summary>
    public const int DefaultPerSecond = 100;

    private readonly int _perSecond;
    private long _windowStartUs = long.MinValue;
    private int _used;

    public StatelessReplyLimiter(int perSecond = DefaultPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        _perSecond = perSecond;
    }

    /// <summary>Takes one reply from the current one-second window; false when it is used up.</summary>
    public bool TryTake(long nowUs)
    {
        if (_windowStartUs == long.MinValue || nowUs - _windowStartUs >= 1_000_000)
        {
            _windowStartUs = nowUs;
            _used = 0;
        }

        if (_used >= _perSecond)
        {
            return false;
        }

        _used++;
        return true;
    }
}
