using Microsoft.Extensions.Logging;

namespace Aster.Samples;

/// <summary>
/// A minimal console logger for the samples (Information and above): <c>HH:mm:ss.fff LEVEL category — message</c>,
/// the text format of config-and-cli.md 13. Real hosts plug in any Microsoft.Extensions.Logging provider instead.
/// </summary>
public sealed class SampleConsoleLoggerProvider : ILoggerProvider
{
    /// <summary>A factory with only this provider.</summary>
    public static ILoggerFactory CreateFactory()
    {
        var factory = new LoggerFactory();
        factory.AddProvider(new SampleConsoleLoggerProvider());
        return factory;
    }

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName);

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private sealed class Logger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            string level = logLevel switch
            {
                LogLevel.Information => "INFO",
                LogLevel.Warning => "WARN",
                LogLevel.Error => "ERROR",
                _ => logLevel.ToString().ToUpperInvariant(),
            };
            Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {level} {category} — {formatter(state, exception)}");
        }
    }
}
