namespace Aster.Trust;

/// <summary>The kind of a consumer enrollment credential (trust.md section 3.2).</summary>
public enum ConsumerCredentialType
{
    /// <summary>A policy credential (<c>"policy"</c>, type code 0): reusable until it expires.</summary>
    Policy = 0,

    /// <summary>A one-time token (<c>"ott"</c>, type code 1): carries a 32-byte nonce and admits once.</summary>
    OneTimeToken = 1,
}
