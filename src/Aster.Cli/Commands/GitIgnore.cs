namespace Aster.Cli.Commands;

/// <summary>Adds an identity file to the <c>.gitignore</c> at the root of the enclosing git work tree (config-and-cli.md 6.2).</summary>
internal static class GitIgnore
{
    public static void Ensure(CliHost host, string filePath)
    {
        string? dir = Path.GetDirectoryName(filePath);
        while (dir is not null && !Directory.Exists(Path.Combine(dir, ".git")) && !File.Exists(Path.Combine(dir, ".git")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        if (dir is null)
        {
            return;
        }

        string entry = "/" + Path.GetRelativePath(dir, filePath).Replace('\\', '/');
        string gitignore = Path.Combine(dir, ".gitignore");
        string[] lines = File.Exists(gitignore) ? File.ReadAllLines(gitignore) : [];
        string name = Path.GetFileName(filePath);
        if (lines.Any(l => l.Trim() == entry || l.Trim() == entry[1..] || l.Trim() == name))
        {
            return;
        }

        string prefix = lines.Length > 0 && !File.ReadAllText(gitignore).EndsWith('\n') ? "\n" : string.Empty;
        File.AppendAllText(gitignore, prefix + entry + "\n");
        host.Note($"added {entry} to {gitignore}");
    }
}
