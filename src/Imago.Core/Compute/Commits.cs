using Imago.Core.Errors;
using Imago.Data;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Compute;

internal static class Commits
{
    /// <summary>Commits (not cancellable: a commit is not abandoned halfway); a concurrent change is OperationConflict.</summary>
    public static async Task SaveOrConflictAsync(ImagoDbContext db)
    {
        try
        {
            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw EcsErrors.Conflict();
        }
    }
}
