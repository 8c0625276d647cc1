import { initAll } from '../govuk/govuk-frontend.min.js'

initAll()

// A task page polls its status until the task finishes, then reloads to show the result.
const progress = document.querySelector('[data-task-status-url]')
if (progress) {
  const url = progress.getAttribute('data-task-status-url')
  const bar = progress.querySelector('progress')
  const message = progress.querySelector('[data-task-message]')
  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { 'X-Background-Request': '1' }, credentials: 'same-origin' })
      if (response.ok) {
        const data = await response.json()
        bar.value = data.percent
        bar.textContent = data.percent + '%'
        message.textContent = data.message
        if (data.finished) {
          window.location.reload()
          return
        }
      }
    } catch (error) {
      // Network blips are expected; try again on the next tick.
    }
    window.setTimeout(poll, 1500)
  }
  window.setTimeout(poll, 1500)
}
