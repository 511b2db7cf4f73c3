namespace Aster.Fory;

/// <summary>Placeholder.</summary>
public sealed class ForySerializer
{
}
