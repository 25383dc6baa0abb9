namespace Imago.Api.Rpc;

/// <summary>Finds the handler registered for an action name (exact, case-sensitive, as ECS action names are).</summary>
public sealed class ActionDispatcher
{
    private readonly Dictionary<string, IEcsActionHandler> _handlers = new(StringComparer.Ordinal);

    public ActionDispatcher(IEnumerable<IEcsActionHandler> handlers)
    {
        foreach (var handler in handlers)
        {
            if (!_handlers.TryAdd(handler.Action, handler))
            {
                throw new InvalidOperationException($"Two handlers are registered for the action {handler.Action}.");
            }
        }
    }

    public IReadOnlyCollection<string> Actions => _handlers.Keys;

    public IEcsActionHandler? Find(string action) => _handlers.GetValueOrDefault(action);
}
