using Aster.Testing;

namespace Aster.Net.Tests;

public sealed class VectorsTests
{
    [VectorFact]
    public void Root_WhenSharedFolderPresent_ContainsReadme()
    {
        Assert.True(File.Exists(Vectors.Path("README.md")));
    }
}
