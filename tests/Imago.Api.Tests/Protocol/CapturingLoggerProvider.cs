using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Imago.Api.Tests.Protocol;

/// <summary>Keeps every log line (category, formatted message, exception, the scopes it ran in) for assertions.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider? _scopes;

    public ConcurrentQueue<(string Category, LogLevel Level, string Message, Exception? Exception, IReadOnlyList<object?> Scopes)> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var scopes = new List<object?>();
                owner._scopes?.ForEachScope((scope, list) => list.Add(scope), scopes);
                owner.Lines.Enqueue((category, logLevel, formatter(state, exception), exception, scopes));
            }
        }
    }
}
