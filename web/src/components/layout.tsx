import { NavLink, Outlet } from 'react-router';
import { navigation, paths } from '../paths';
import { ErrorBoundary } from './error-boundary';
import { ThemeToggle } from './theme-toggle';

/** The frame around every page: brand, domain navigation, theme switch, and the page itself. */
export function Layout() {
  return (
    <div className="app">
      <header className="topbar">
        <NavLink to={paths.home.path} className="brand" end>
          Alignboard
        </NavLink>
        <nav aria-label="Main" className="nav">
          {navigation.map((item) => (
            <NavLink
              key={item.path}
              to={item.path}
              className={({ isActive }) => (isActive ? 'nav-link active' : 'nav-link')}
            >
              {item.label}
            </NavLink>
          ))}
        </nav>
        <ThemeToggle />
      </header>
      <main className="content">
        <ErrorBoundary area="Page">
          <Outlet />
        </ErrorBoundary>
      </main>
    </div>
  );
}
